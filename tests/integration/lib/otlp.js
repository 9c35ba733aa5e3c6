// Raw OTLP: the repo's own .proto files (proto/) loaded with protobufjs, to
// build requests the SDK would never send (bad ids, truncated bodies) and to
// decode the server's protobuf responses; a raw HTTP POST; a raw gRPC unary
// call through @grpc/grpc-js.
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { REPO_ROOT } from './augur.js';

const PROTO_DIR = path.join(REPO_ROOT, 'proto');

const root = new protobuf.Root();
// google/protobuf/* are bundled with protobufjs; everything else is ours.
root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(PROTO_DIR, target));
root.loadSync([
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'google/rpc/status.proto',
], { keepCase: true });

export const SIGNALS = ['traces', 'metrics', 'logs'];

const SERVICE = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};
const REQUEST = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};
const RESPONSE = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
};
export const REJECTED_FIELD = { traces: 'rejected_spans', metrics: 'rejected_data_points', logs: 'rejected_log_records' };

const StatusType = root.lookupType('google.rpc.Status');

// Encodes a request object (proto field names, snake_case; bytes as Buffer;
// 64-bit integers as decimal strings) to protobuf. Throws if a field has a
// value of the wrong type.
export function encodeRequest(signal, obj) {
  const T = root.lookupType(REQUEST[signal]);
  const msg = T.fromObject(obj);
  const err = T.verify(msg);
  if (err) throw new Error(`bad ${signal} request fixture: ${err}`);
  return Buffer.from(T.encode(msg).finish());
}

// Throws when buf is not a valid request of `signal`.
export function decodeRequest(signal, buf) {
  const T = root.lookupType(REQUEST[signal]);
  return T.toObject(T.decode(buf), { longs: String });
}

export function decodeResponse(signal, buf) {
  const T = root.lookupType(RESPONSE[signal]);
  return T.toObject(T.decode(buf), { longs: Number, defaults: true });
}

export function decodeStatus(buf) {
  return StatusType.toObject(StatusType.decode(buf), { defaults: true });
}

export function grpcMethod(signal) {
  return `/${SERVICE[signal]}/Export`;
}

// POST with node:http (not fetch): it reports the status even when the server
// answers early (413) and closes while the body is still being written.
// Answers {status, headers, body: Buffer}. An https URL goes through
// node:https, trusting `ca` (PEM) if given, else only the system's CAs.
export function rawPost(url, body, headers = {}, { timeoutMs = 20_000, chunked = false, ca } = {}) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let gotResponse = false;
    const done = (fn, v) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn(v);
      }
    };
    // chunked: no Content-Length, the body in 64 KiB chunks, so the server
    // has to count what it reads.
    const secure = url.startsWith('https:');
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      headers: chunked ? { 'transfer-encoding': 'chunked', ...headers } : { 'content-length': Buffer.byteLength(body), ...headers },
      ...(secure ? { agent: false, ...(ca ? { ca } : {}) } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      gotResponse = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done(resolve, { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => done(reject, e));
    });
    req.on('error', (e) => {
      // A reset after the response has started is the server closing early;
      // the response handlers settle the promise.
      if (!gotResponse) done(reject, new Error(`POST ${url}: ${e.message}`));
    });
    if (chunked) {
      const buf = Buffer.from(body);
      let off = 0;
      const pump = () => {
        while (off < buf.length) {
          const chunk = buf.subarray(off, off + 65536);
          off += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    } else {
      req.end(body);
    }
  });
}

// POST an OTLP/HTTP request; ct is 'proto' or 'json' (or a full content type).
export function postOtlp(augur, signal, body, { ct = 'proto', headers = {}, token } = {}) {
  const contentType = ct === 'proto' ? 'application/x-protobuf' : ct === 'json' ? 'application/json' : ct;
  const h = { 'content-type': contentType, ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  return rawPost(`${augur.otlpHttpUrl}/v1/${signal}`, body, h, { ca: augur.ca });
}

// Decodes an OTLP/HTTP error body (google.rpc.Status) in the response's
// content type. Throws if it is neither valid protobuf nor valid JSON Status.
export function parseErrorStatus(res) {
  const ct = String(res.headers['content-type'] ?? '');
  if (ct.includes('json')) {
    const j = JSON.parse(res.body.toString('utf8'));
    return { code: j.code ?? 0, message: j.message ?? '' };
  }
  if (ct.includes('protobuf')) return decodeStatus(res.body);
  throw new Error(`error body has content type ${JSON.stringify(ct)}; body: ${res.body.toString('utf8').slice(0, 500)}`);
}

// Decodes an OTLP/HTTP 200 response body into {rejected, message}.
export function parsePartialSuccess(signal, res) {
  const ct = String(res.headers['content-type'] ?? '');
  if (ct.includes('json')) {
    const j = res.body.length ? JSON.parse(res.body.toString('utf8')) : {};
    const ps = j.partialSuccess ?? j.partial_success ?? {};
    const camel = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' }[signal];
    return { rejected: Number(ps[camel] ?? ps[REJECTED_FIELD[signal]] ?? 0), message: ps.errorMessage ?? ps.error_message ?? '' };
  }
  const r = decodeResponse(signal, res.body);
  const ps = r.partial_success ?? {};
  return { rejected: Number(ps[REJECTED_FIELD[signal]] ?? 0), message: ps.error_message ?? '' };
}

// --- gRPC -------------------------------------------------------------------

const identity = (b) => b;

// Over TLS (augur.ca set) the client trusts augur.ca.
export function grpcClient(augur) {
  const creds = augur.ca ? grpc.credentials.createSsl(augur.ca) : grpc.credentials.createInsecure();
  return new grpc.Client(augur.grpcAddr, creds);
}

// Sends raw bytes as the request message of signal's Export; resolves to
// {code, details, response: Buffer|undefined}. Never rejects on a gRPC error.
export function grpcRawExport(client, signal, bytes, { token, timeoutMs = 10_000 } = {}) {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(grpcMethod(signal), identity, identity, bytes, md,
      { deadline: Date.now() + timeoutMs }, (err, response) => {
        if (err) resolve({ code: err.code, details: err.details, response: undefined });
        else resolve({ code: grpc.status.OK, details: '', response });
      });
  });
}

export const grpcStatus = grpc.status;
export function grpcStatusName(code) {
  return Object.keys(grpc.status).find((k) => grpc.status[k] === code) ?? String(code);
}

// --- fixtures ---------------------------------------------------------------

export function randomBytes(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
  if (b.every((x) => x === 0)) b[0] = 1;
  return b;
}

// A protobuf-ready span (snake_case fields) with valid ids and times.
export function makeSpan({ traceId = randomBytes(16), spanId = randomBytes(8), parentSpanId, name, startNs, endNs, attrs = {} }) {
  const s = {
    trace_id: traceId,
    span_id: spanId,
    name,
    kind: 2,
    start_time_unix_nano: String(startNs),
    end_time_unix_nano: String(endNs),
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { string_value: String(v) } })),
  };
  if (parentSpanId) s.parent_span_id = parentSpanId;
  return s;
}

export function traceRequest(serviceName, spans) {
  return {
    resource_spans: [{
      resource: { attributes: [{ key: 'service.name', value: { string_value: serviceName } }] },
      scope_spans: [{ scope: { name: 'augur-it-raw', version: '1' }, spans }],
    }],
  };
}

export function nowNs() {
  return BigInt(Date.now()) * 1_000_000n;
}

const strAttr = (key, v) => ({ key, value: { string_value: String(v) } });

// A valid request of `signal` for `service`, with one item (or `n`).
export function validRequest(signal, service, { n = 1, name = 'raw', timeNs = nowNs() } = {}) {
  const resource = { attributes: [strAttr('service.name', service)] };
  const scope = { name: 'augur-it-raw', version: '1' };
  const idx = Array.from({ length: n }, (_, i) => i);
  if (signal === 'traces') {
    return traceRequest(service, idx.map((i) => makeSpan({
      name: `${name}-${i}`, startNs: timeNs + BigInt(i), endNs: timeNs + BigInt(i) + 1_000_000n,
    })));
  }
  if (signal === 'metrics') {
    return {
      resource_metrics: [{
        resource,
        scope_metrics: [{
          scope,
          metrics: [{
            name: `it.${name}.gauge`, unit: '1',
            gauge: { data_points: idx.map((i) => ({ time_unix_nano: String(timeNs + BigInt(i)), as_double: 1.5 + i, attributes: [strAttr('i', i)] })) },
          }],
        }],
      }],
    };
  }
  return {
    resource_logs: [{
      resource,
      scope_logs: [{
        scope,
        log_records: idx.map((i) => ({
          time_unix_nano: String(timeNs + BigInt(i)),
          observed_time_unix_nano: String(timeNs + BigInt(i)),
          severity_number: 9, severity_text: 'INFO',
          body: { string_value: `${name}-${i}` },
        })),
      }],
    }],
  };
}

// The same request in OTLP JSON (camelCase, hex ids, int64 as strings).
export function validJsonRequest(signal, service, { timeNs = nowNs(), name = 'raw' } = {}) {
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
  const scope = { name: 'augur-it-raw', version: '1' };
  if (signal === 'traces') {
    return {
      resourceSpans: [{
        resource,
        scopeSpans: [{
          scope,
          spans: [{
            traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name, kind: 2,
            startTimeUnixNano: String(timeNs), endTimeUnixNano: String(timeNs + 1_000_000n),
          }],
        }],
      }],
    };
  }
  if (signal === 'metrics') {
    return {
      resourceMetrics: [{
        resource,
        scopeMetrics: [{
          scope,
          metrics: [{ name: `it.${name}.gauge`, unit: '1', gauge: { dataPoints: [{ timeUnixNano: String(timeNs), asDouble: 1.5 }] } }],
        }],
      }],
    };
  }
  return {
    resourceLogs: [{
      resource,
      scopeLogs: [{
        scope,
        logRecords: [{ timeUnixNano: String(timeNs), severityNumber: 9, severityText: 'INFO', body: { stringValue: name } }],
      }],
    }],
  };
}
