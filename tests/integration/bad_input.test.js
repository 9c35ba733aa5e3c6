// Bad input must be answered with the right OTLP error and must not disturb
// anyone else: between (and during) the bad requests a "good client" using the
// official SDK keeps exporting, and every one of its spans has to land.
// Also: bearer-token authentication on OTLP/HTTP, OTLP/gRPC and the API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startAugur, waitFor, uniqueSuffix, parsePrometheus, rfc3339ToNs } from './lib/augur.js';
import {
  SIGNALS, encodeRequest, decodeRequest, decodeResponse, postOtlp, parseErrorStatus, parsePartialSuccess, rawPost,
  grpcClient, grpcRawExport, grpcStatus, grpcStatusName, validRequest, validJsonRequest,
  makeSpan, traceRequest, randomBytes, nowNs,
} from './lib/otlp.js';
import { TRANSPORTS, Recorder, makeTraceExporter, makePipelines, withQuietSdk } from './lib/sdk.js';

const SUFFIX = uniqueSuffix();
const MAX_BODY = 1024 * 1024;
const VISIBLE_TIMEOUT_MS = 15_000;
const T = { timeout: 60_000 };

// The good client: one SDK tracer provider per transport, all for one service;
// send() exports one span, round robin over the transports, and checks that
// the export succeeded; verify() checks that every span sent is stored.
class GoodClient {
  constructor(augur, service, { token } = {}) {
    this.augur = augur;
    this.service = service;
    this.token = token;
    this.sent = [];
    this.pipes = TRANSPORTS.map((transport) => {
      const rec = new Recorder(makeTraceExporter(transport, augur, { token }));
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [new SimpleSpanProcessor(rec)],
      });
      return { transport, rec, tracer: provider.getTracer('good-client'), provider };
    });
  }

  async send(label = '') {
    const pipe = this.pipes[this.sent.length % this.pipes.length];
    const name = `good-${this.sent.length}${label ? `-${label}` : ''}`;
    const before = pipe.rec.results.length;
    const span = pipe.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: { 'good.transport': pipe.transport } });
    span.end();
    await pipe.provider.forceFlush();
    const results = pipe.rec.results.slice(before);
    assert.equal(results.length, 1, `good client (${pipe.transport}): one export for ${name}`);
    assert.equal(results[0].code, 0, `good client (${pipe.transport}) export of ${name} failed: ${results[0].error?.message}`);
    this.sent.push({ name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
  }

  async verify() {
    const q = `/api/v1/spans?service=${encodeURIComponent(this.service)}&limit=10000`;
    const want = this.sent.map((s) => s.spanId).sort();
    const got = await waitFor(async () => {
      const j = await this.augur.apiJson(q, { token: this.token });
      const ids = j.spans.map((s) => s.span_id).sort();
      return ids.length >= want.length ? j : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `all ${want.length} spans of the good client` });
    assert.deepEqual(got.spans.map((s) => s.span_id).sort(), want);
    for (const s of this.sent) {
      const g = got.spans.find((x) => x.span_id === s.spanId);
      assert.equal(g.name, s.name);
      assert.equal(g.trace_id, s.traceId);
    }
  }

  async shutdown() {
    await Promise.all(this.pipes.map((p) => p.provider.shutdown()));
  }
}

function expectErrorStatus(res, httpStatus, what) {
  const text = res.body.toString('utf8').slice(0, 500);
  assert.equal(res.status, httpStatus, `${what}: HTTP ${res.status} ${text}`);
  const st = parseErrorStatus(res);
  assert.equal(typeof st.message, 'string');
  assert.ok(st.message.length > 0, `${what}: the google.rpc.Status carries a message (got ${JSON.stringify(st)})`);
  return st;
}

// Polls the trace until exactly `spanIds` are stored under it.
async function expectTraceSpans(augur, traceIdHex, spanIds, opts = {}) {
  const want = [...spanIds].sort();
  const j = await waitFor(async () => {
    const r = await augur.api(`/api/v1/traces/${traceIdHex}`, opts);
    return r.status === 200 && r.json.spans.length >= want.length ? r.json : null;
  }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `trace ${traceIdHex} with ${want.length} spans` });
  assert.deepEqual(j.spans.map((s) => s.span_id).sort(), want);
  return j;
}

describe('bad input', { timeout: 300_000 }, () => {
  let augur;
  let good;
  let grpc;

  before(async () => {
    augur = await startAugur({ args: ['--max-body-bytes', String(MAX_BODY)] });
    good = new GoodClient(augur, `it-good-${SUFFIX}`);
    grpc = grpcClient(augur);
    await good.send('first');
  }, { timeout: 30_000 });

  after(async () => {
    grpc?.close();
    await good?.shutdown().catch(() => {});
    await augur?.stop();
  }, { timeout: 30_000 });

  it('answers a truncated protobuf body with 400 and a google.rpc.Status message', T, async () => {
    for (const signal of SIGNALS) {
      const full = encodeRequest(signal, validRequest(signal, `it-bad-${SUFFIX}`, { n: 3 }));
      const truncated = full.subarray(0, full.length - 5);
      assert.throws(() => decodeRequest(signal, truncated), 'fixture sanity: the truncated body does not parse');
      const res = await postOtlp(augur, signal, truncated, { ct: 'proto' });
      const st = expectErrorStatus(res, 400, `truncated ${signal}`);
      assert.match(String(res.headers['content-type']), /application\/x-protobuf/);
      assert.equal(st.code, grpcStatus.INVALID_ARGUMENT, `Status.code for a malformed ${signal} body`);
      await good.send(`after-truncated-${signal}`);
    }
  });

  it('answers broken JSON with 400 and a JSON google.rpc.Status message', T, async () => {
    for (const signal of SIGNALS) {
      for (const body of ['{"resourceSpans": [', 'this is not json', '']) {
        const res = await postOtlp(augur, signal, body, { ct: 'json' });
        const st = expectErrorStatus(res, 400, `broken JSON ${JSON.stringify(body)} on ${signal}`);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.equal(st.code, grpcStatus.INVALID_ARGUMENT);
      }
      await good.send(`after-json-${signal}`);
    }
  });

  it('answers JSON of the wrong shape (a string where a list belongs) with 400', T, async () => {
    const key = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' };
    for (const signal of SIGNALS) {
      const res = await postOtlp(augur, signal, JSON.stringify({ [key[signal]]: 'nope' }), { ct: 'json' });
      expectErrorStatus(res, 400, `wrong-shape JSON on ${signal}`);
    }
    await good.send('after-wrong-shape');
  });

  it('answers an unsupported content type with 415', T, async () => {
    for (const signal of SIGNALS) {
      const body = JSON.stringify(validJsonRequest(signal, `it-bad-${SUFFIX}`));
      for (const ct of ['text/plain', 'application/xml']) {
        const res = await postOtlp(augur, signal, body, { ct });
        assert.equal(res.status, 415, `${ct} on ${signal}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      }
    }
    await good.send('after-415');
  });

  it('answers an unknown path with 404 and a wrong method with 405', T, async () => {
    const body = encodeRequest('traces', validRequest('traces', `it-bad-${SUFFIX}`));
    let res = await rawPost(`${augur.otlpHttpUrl}/v1/spans`, body, { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 404, `POST /v1/spans: ${res.status}`);
    res = await rawPost(`${augur.otlpHttpUrl}/v1/traces/extra`, body, { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 404, `POST /v1/traces/extra: ${res.status}`);
    for (const signal of SIGNALS) {
      const r = await fetch(`${augur.otlpHttpUrl}/v1/${signal}`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(r.status, 405, `GET /v1/${signal}: ${r.status}`);
      await r.arrayBuffer();
    }
    await good.send('after-404-405');
  });

  it('answers a body over --max-body-bytes with 413 (Content-Length and chunked), and takes one just under', T, async () => {
    const service = `it-size-${SUFFIX}`;
    const t0 = nowNs();
    const big = makeSpan({ name: 'too-big', startNs: t0, endNs: t0 + 1000n, attrs: { blob: 'x'.repeat(MAX_BODY + 512 * 1024) } });
    const bigBody = encodeRequest('traces', traceRequest(service, [big]));
    assert.ok(bigBody.length > MAX_BODY);
    let res = await postOtlp(augur, 'traces', bigBody);
    assert.equal(res.status, 413, `oversized (Content-Length ${bigBody.length}): HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
    await good.send('after-413');

    res = await rawPost(`${augur.otlpHttpUrl}/v1/traces`, bigBody, { 'content-type': 'application/x-protobuf' }, { chunked: true });
    assert.equal(res.status, 413, `oversized (chunked, ${bigBody.length} bytes): HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
    await good.send('after-413-chunked');

    const okSpan = makeSpan({ name: 'just-under', startNs: t0, endNs: t0 + 1000n, attrs: { blob: 'y'.repeat(MAX_BODY - 64 * 1024) } });
    const okBody = encodeRequest('traces', traceRequest(service, [okSpan]));
    assert.ok(okBody.length < MAX_BODY && okBody.length > MAX_BODY - 128 * 1024);
    res = await postOtlp(augur, 'traces', okBody);
    assert.equal(res.status, 200, `just under the limit (${okBody.length} bytes): HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
    const j = await expectTraceSpans(augur, okSpan.trace_id.toString('hex'), [okSpan.span_id.toString('hex')]);
    assert.equal(j.spans[0].attributes.blob.length, MAX_BODY - 64 * 1024);
    // The oversized span was not stored.
    const r = await augur.api(`/api/v1/traces/${big.trace_id.toString('hex')}`);
    assert.equal(r.status, 404, `the rejected oversized span is not stored: ${r.text.slice(0, 200)}`);
  });

  it('answers a gzip bomb with 413, a corrupt gzip body with 400, and takes a good gzip body', T, async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < MAX_BODY / 4, `the bomb is small on the wire (${bomb.length} bytes)`);
    for (const ct of ['proto', 'json']) {
      const res = await postOtlp(augur, 'traces', bomb, { ct, headers: { 'content-encoding': 'gzip' } });
      assert.equal(res.status, 413, `gzip bomb (${ct}): HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      await good.send(`after-bomb-${ct}`);
    }

    const corrupt = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), randomBytes(200)]);
    let res = await postOtlp(augur, 'traces', corrupt, { headers: { 'content-encoding': 'gzip' } });
    expectErrorStatus(res, 400, 'corrupt gzip');
    await good.send('after-corrupt-gzip');

    const t0 = nowNs();
    const span = makeSpan({ name: 'gzipped', startNs: t0, endNs: t0 + 5000n });
    const body = zlib.gzipSync(encodeRequest('traces', traceRequest(`it-gzip-${SUFFIX}`, [span])));
    res = await postOtlp(augur, 'traces', body, { headers: { 'content-encoding': 'gzip' } });
    assert.equal(res.status, 200, `good gzip body: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
    await expectTraceSpans(augur, span.trace_id.toString('hex'), [span.span_id.toString('hex')]);

    // The SDK exporters with compression: 'gzip', over every transport.
    for (const transport of TRANSPORTS) {
      const rec = new Recorder(makeTraceExporter(transport, augur, { compression: 'gzip' }));
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': `it-gzip-sdk-${SUFFIX}` }),
        spanProcessors: [new SimpleSpanProcessor(rec)],
      });
      const s = provider.getTracer('gzip').startSpan(`gzip-${transport}`, { attributes: { pad: 'z'.repeat(4096) } });
      s.end();
      await provider.forceFlush();
      await provider.shutdown();
      rec.assertAllSucceeded(`${transport} with gzip`);
      await expectTraceSpans(augur, s.spanContext().traceId, [s.spanContext().spanId]);
    }
  });

  describe('items with bad ids inside a good batch', () => {
    // good1 and good2 share trace T1; endBeforeStart has valid ids in trace T2.
    function badSpanBatch(label) {
      const t0 = nowNs();
      const t1 = randomBytes(16);
      const good1 = makeSpan({ traceId: t1, name: `${label}-good-1`, startNs: t0, endNs: t0 + 1000n });
      const shortTrace = makeSpan({ traceId: randomBytes(15), name: `${label}-short-trace-id`, startNs: t0, endNs: t0 + 1000n });
      const endBeforeStart = makeSpan({ name: `${label}-end-before-start`, startNs: t0 + 5000n, endNs: t0 + 1000n });
      const shortSpan = makeSpan({ traceId: t1, spanId: randomBytes(7), name: `${label}-short-span-id`, startNs: t0, endNs: t0 + 1000n });
      const good2 = makeSpan({ traceId: t1, parentSpanId: good1.span_id, name: `${label}-good-2`, startNs: t0 + 10n, endNs: t0 + 900n });
      return {
        request: traceRequest(`it-partial-${SUFFIX}`, [good1, shortTrace, endBeforeStart, shortSpan, good2]),
        rejected: 3,
        goodTrace: t1.toString('hex'),
        goodIds: [good1.span_id.toString('hex'), good2.span_id.toString('hex')],
        badTrace: endBeforeStart.trace_id.toString('hex'),
      };
    }

    async function expectStoredGoodOnly(b) {
      const j = await expectTraceSpans(augur, b.goodTrace, b.goodIds);
      const good2 = j.spans.find((s) => s.span_id === b.goodIds[1]);
      assert.equal(good2.parent_span_id, b.goodIds[0]);
      const r = await augur.api(`/api/v1/traces/${b.badTrace}`);
      assert.equal(r.status, 404, `the end-before-start span is not stored: ${r.text.slice(0, 300)}`);
    }

    it('OTLP/HTTP protobuf: 200 with partial_success, the good spans stored', T, async () => {
      const b = badSpanBatch('proto');
      const res = await postOtlp(augur, 'traces', encodeRequest('traces', b.request));
      assert.equal(res.status, 200, `HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      assert.match(String(res.headers['content-type']), /application\/x-protobuf/);
      const ps = parsePartialSuccess('traces', res);
      assert.equal(ps.rejected, b.rejected, `rejected_spans in ${JSON.stringify(ps)}`);
      assert.ok(ps.message.length > 0, 'partial_success.error_message says what was wrong');
      await expectStoredGoodOnly(b);
      await good.send('after-partial-proto');
    });

    it('OTLP/HTTP JSON: 200 with partial_success, the good spans stored', T, async () => {
      const t0 = nowNs();
      const goodTrace = randomBytes(16).toString('hex');
      const goodSpan = randomBytes(8).toString('hex');
      const badTrace = randomBytes(16).toString('hex');
      const span = (traceId, spanId, name, s, e) => ({
        traceId, spanId, name, kind: 1, startTimeUnixNano: String(s), endTimeUnixNano: String(e),
      });
      const body = {
        resourceSpans: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: `it-partial-${SUFFIX}` } }] },
          scopeSpans: [{
            scope: { name: 'augur-it-raw' },
            spans: [
              span(goodTrace, goodSpan, 'json-good', t0, t0 + 100n),
              span(randomBytes(15).toString('hex'), randomBytes(8).toString('hex'), 'json-short-trace-id', t0, t0 + 100n),
              span(badTrace, randomBytes(8).toString('hex'), 'json-end-before-start', t0 + 100n, t0),
            ],
          }],
        }],
      };
      const res = await postOtlp(augur, 'traces', JSON.stringify(body), { ct: 'json' });
      assert.equal(res.status, 200, `HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const ps = parsePartialSuccess('traces', res);
      assert.equal(ps.rejected, 2, `rejectedSpans in ${res.body.toString()}`);
      assert.ok(ps.message.length > 0, 'partialSuccess.errorMessage says what was wrong');
      await expectTraceSpans(augur, goodTrace, [goodSpan]);
      const r = await augur.api(`/api/v1/traces/${badTrace}`);
      assert.equal(r.status, 404, `the end-before-start span is not stored: ${r.text.slice(0, 300)}`);
      await good.send('after-partial-json');
    });

    it('OTLP/gRPC: OK with partial_success, the good spans stored', T, async () => {
      const b = badSpanBatch('grpc');
      const r = await grpcRawExport(grpc, 'traces', encodeRequest('traces', b.request));
      assert.equal(r.code, grpcStatus.OK, `gRPC ${grpcStatusName(r.code)}: ${r.details}`);
      const resp = decodeResponse('traces', r.response);
      assert.equal(Number(resp.partial_success?.rejected_spans), b.rejected, JSON.stringify(resp));
      assert.ok(resp.partial_success.error_message.length > 0);
      await expectStoredGoodOnly(b);
      await good.send('after-partial-grpc');
    });

    it('log records with bad trace/span ids are rejected, the rest stored', T, async () => {
      const service = `it-partial-logs-${SUFFIX}`;
      const t0 = nowNs();
      const rec = (body, extra = {}) => ({
        time_unix_nano: String(t0), observed_time_unix_nano: String(t0), severity_number: 13,
        severity_text: 'WARN', body: { string_value: body }, ...extra,
      });
      const req = {
        resource_logs: [{
          resource: { attributes: [{ key: 'service.name', value: { string_value: service } }] },
          scope_logs: [{
            scope: { name: 'augur-it-raw' },
            log_records: [
              rec('good-no-context'),
              rec('bad-trace-id', { trace_id: randomBytes(15), span_id: randomBytes(8) }),
              rec('bad-span-id', { trace_id: randomBytes(16), span_id: randomBytes(5) }),
              rec('good-with-context', { trace_id: randomBytes(16), span_id: randomBytes(8) }),
            ],
          }],
        }],
      };
      const res = await postOtlp(augur, 'logs', encodeRequest('logs', req));
      assert.equal(res.status, 200, `HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      const ps = parsePartialSuccess('logs', res);
      assert.equal(ps.rejected, 2, `rejected_log_records in ${JSON.stringify(ps)}`);
      assert.ok(ps.message.length > 0);
      const j = await waitFor(async () => {
        const x = await augur.apiJson(`/api/v1/logs?service=${encodeURIComponent(service)}`);
        return x.logs.length >= 2 ? x : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `logs of ${service}` });
      assert.deepEqual(j.logs.map((l) => l.body).sort(), ['good-no-context', 'good-with-context']);
      await good.send('after-partial-logs');
    });

    it('histogram points whose bucket counts do not fit the bounds are rejected, the rest stored', T, async () => {
      const service = `it-partial-metrics-${SUFFIX}`;
      const t0 = nowNs();
      const req = {
        resource_metrics: [{
          resource: { attributes: [{ key: 'service.name', value: { string_value: service } }] },
          scope_metrics: [{
            scope: { name: 'augur-it-raw' },
            metrics: [
              { name: 'it.partial.gauge', gauge: { data_points: [{ time_unix_nano: String(t0), as_double: 2.5 }] } },
              {
                name: 'it.partial.hist',
                histogram: {
                  aggregation_temporality: 2,
                  data_points: [
                    { start_time_unix_nano: String(t0 - 1000n), time_unix_nano: String(t0), count: '3', sum: 6, explicit_bounds: [1, 2], bucket_counts: ['1', '2'] },
                    { start_time_unix_nano: String(t0 - 1000n), time_unix_nano: String(t0 + 1n), count: '3', sum: 6, explicit_bounds: [1, 2], bucket_counts: ['1', '1', '1'] },
                  ],
                },
              },
            ],
          }],
        }],
      };
      const res = await postOtlp(augur, 'metrics', encodeRequest('metrics', req));
      assert.equal(res.status, 200, `HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      const ps = parsePartialSuccess('metrics', res);
      assert.equal(ps.rejected, 1, `rejected_data_points in ${JSON.stringify(ps)}`);
      assert.ok(ps.message.length > 0);
      const g = await waitFor(async () => {
        const x = await augur.apiJson(`/api/v1/metrics?name=it.partial.gauge&service=${encodeURIComponent(service)}`);
        return x.points.length >= 1 ? x : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: 'the good gauge point' });
      assert.equal(g.points[0].value, 2.5);
      const h = await augur.apiJson(`/api/v1/metrics?name=it.partial.hist&service=${encodeURIComponent(service)}`);
      assert.equal(h.points.length, 1, JSON.stringify(h));
      assert.deepEqual(h.points[0].histogram.bucket_counts, [1, 1, 1]);
      assert.equal(rfc3339ToNs(h.points[0].time), t0 + 1n);
      await good.send('after-partial-metrics');
    });

    it('GET /metrics counts the rejected spans', T, async () => {
      const r = await augur.api('/metrics');
      assert.equal(r.status, 200);
      const rejected = parsePrometheus(r.text).filter((s) => /rejected/.test(s.name) && s.labels.signal === 'traces');
      assert.ok(rejected.length > 0, `a rejected counter for traces in:\n${r.text.slice(0, 3000)}`);
      assert.ok(rejected.reduce((a, s) => a + s.value, 0) >= 8, `rejected spans counted: ${JSON.stringify(rejected)}`);
      // Every bounded table of the analysis shows its overflow, zero or not.
      const overflow = parsePrometheus(r.text).filter((s) => s.name === 'augur_analysis_overflow_total');
      for (const [component, what] of [['red', 'series'], ['topology', 'edges'], ['logs', 'records'], ['insight', 'anomalies']]) {
        assert.ok(overflow.some((s) => s.labels.component === component && s.labels.what === what),
          `augur_analysis_overflow_total{component="${component}",what="${what}"} in: ${JSON.stringify(overflow)}`);
      }
    });
  });

  it('answers a malformed gRPC message with INVALID_ARGUMENT', T, async () => {
    for (const signal of SIGNALS) {
      const full = encodeRequest(signal, validRequest(signal, `it-bad-${SUFFIX}`, { n: 3 }));
      for (const bytes of [full.subarray(0, full.length - 5), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from('garbage, not protobuf at all')]) {
        const r = await grpcRawExport(grpc, signal, bytes);
        assert.equal(r.code, grpcStatus.INVALID_ARGUMENT,
          `${signal} with ${bytes.length} malformed bytes: got ${grpcStatusName(r.code)} (${r.details})`);
      }
      await good.send(`after-grpc-malformed-${signal}`);
    }
  });

  it('keeps taking good data while bad requests arrive at the same time', T, async () => {
    const bad = [];
    for (let i = 0; i < 5; i++) {
      bad.push(postOtlp(augur, 'traces', randomBytes(300), { ct: 'proto' }).then((r) => r.status));
      bad.push(postOtlp(augur, 'logs', '{"resourceLogs": [{', { ct: 'json' }).then((r) => r.status));
      bad.push(grpcRawExport(grpc, 'metrics', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])).then((r) => r.code));
    }
    // The good sends go one after another (send() checks its own export
    // result), all while the bad requests are in flight.
    for (let i = 0; i < 6; i++) await good.send(`concurrent-${i}`);
    const statuses = await Promise.all(bad);
    for (let i = 0; i < statuses.length; i += 3) {
      assert.equal(statuses[i], 400, 'random bytes as protobuf');
      assert.equal(statuses[i + 1], 400, 'broken JSON logs');
      assert.equal(statuses[i + 2], grpcStatus.INVALID_ARGUMENT, 'malformed gRPC');
    }
  });

  it('the good client got every one of its spans in', T, async () => {
    assert.ok(good.sent.length >= 25, `the good client sent ${good.sent.length} spans`);
    await good.verify();
  });
});

describe('bearer token', { timeout: 180_000 }, () => {
  const TOKEN = 's3cret';
  let augur;
  let grpc;

  before(async () => {
    augur = await startAugur({ args: ['--auth-token', TOKEN] });
    grpc = grpcClient(augur);
  }, { timeout: 30_000 });

  after(async () => {
    grpc?.close();
    await augur?.stop();
  }, { timeout: 30_000 });

  it('OTLP/HTTP without the right token: 401; with it: 200', T, async () => {
    const service = `it-auth-raw-${SUFFIX}`;
    for (const signal of SIGNALS) {
      const body = encodeRequest(signal, validRequest(signal, service));
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }, { authorization: `Bearer ${TOKEN}x` }]) {
        const res = await postOtlp(augur, signal, body, { headers });
        assert.equal(res.status, 401, `${signal} with ${JSON.stringify(headers)}: HTTP ${res.status}`);
      }
      const ok = await postOtlp(augur, signal, body, { token: TOKEN });
      assert.equal(ok.status, 200, `${signal} with the token: HTTP ${ok.status} ${ok.body.toString().slice(0, 300)}`);
    }
    const j = await waitFor(async () => {
      const x = await augur.apiJson(`/api/v1/logs?service=${encodeURIComponent(service)}`, { token: TOKEN });
      return x.logs.length >= 1 ? x : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: 'the authenticated log record' });
    assert.equal(j.logs.length, 1, 'only the authenticated request was stored');
  });

  it('OTLP/gRPC without the right token: UNAUTHENTICATED', T, async () => {
    for (const signal of SIGNALS) {
      const body = encodeRequest(signal, validRequest(signal, `it-auth-grpc-${SUFFIX}`));
      for (const token of [undefined, 'wrong']) {
        const r = await grpcRawExport(grpc, signal, body, { token });
        assert.equal(r.code, grpcStatus.UNAUTHENTICATED, `${signal} with token ${token}: ${grpcStatusName(r.code)} ${r.details}`);
      }
      const r = await grpcRawExport(grpc, signal, body, { token: TOKEN });
      assert.equal(r.code, grpcStatus.OK, `${signal} with the token: ${grpcStatusName(r.code)} ${r.details}`);
    }
  });

  it('the SDK exporters with the token get everything in over every transport', T, async () => {
    for (const transport of TRANSPORTS) {
      const service = `it-auth-sdk-${transport}-${SUFFIX}`;
      const p = makePipelines(transport, augur, { 'service.name': service }, { token: TOKEN });
      const span = p.tracerProvider.getTracer('auth').startSpan('authed');
      span.end();
      p.meterProvider.getMeter('auth').createCounter('it.auth.count').add(3);
      p.loggerProvider.getLogger('auth').emit({ body: 'authed', severityNumber: 9 });
      await p.flushAndShutdown();
      for (const [k, r] of Object.entries(p.recorders)) r.assertAllSucceeded(`${transport} ${k} with the token`);
      await expectTraceSpans(augur, span.spanContext().traceId, [span.spanContext().spanId], { token: TOKEN });
      const m = await waitFor(async () => {
        const x = await augur.apiJson(`/api/v1/metrics?name=it.auth.count&service=${encodeURIComponent(service)}`, { token: TOKEN });
        return x.points.length >= 1 ? x : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `metric of ${service}` });
      assert.equal(m.points.at(-1).value, 3);
    }
  });

  it('the SDK exporters without the token fail', T, () => withQuietSdk(async () => {
    for (const transport of TRANSPORTS) {
      const rec = new Recorder(makeTraceExporter(transport, augur, {}));
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(rec)] });
      provider.getTracer('noauth').startSpan('unauthed').end();
      // forceFlush rejects when the export failed.
      await assert.rejects(provider.forceFlush(), `${transport}: flushing an export without the token rejects`);
      await provider.shutdown();
      assert.equal(rec.results.length, 1);
      assert.notEqual(rec.results[0].code, 0, `${transport}: export without the token must fail`);
    }
  }));

  it('the query API needs the token', T, async () => {
    for (const path of ['/api/v1/services', '/api/v1/spans', '/api/v1/logs', '/api/v1/metrics?name=x', `/api/v1/traces/${'ab'.repeat(16)}`]) {
      for (const token of [undefined, 'wrong']) {
        const r = await augur.api(path, { token });
        assert.equal(r.status, 401, `GET ${path} with token ${token}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    const r = await augur.api('/api/v1/services', { token: TOKEN });
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.services));
  });
});

describe('a full ingest queue', { timeout: 180_000 }, () => {
  const CAPACITY = 100;
  let augur;
  let grpc;

  before(async () => {
    augur = await startAugur({ args: ['--queue-capacity', String(CAPACITY)] });
    grpc = grpcClient(augur);
  }, { timeout: 30_000 });

  after(async () => {
    grpc?.close();
    await augur?.stop();
  }, { timeout: 30_000 });

  // 40 HTTP and 40 gRPC requests of 80 spans each at once, against a queue of
  // 100 items: most cannot fit.
  async function burst(service) {
    const accepted = [];
    const refused = [];
    const unexpected = [];
    const jobs = [];
    for (let i = 0; i < 80; i++) {
      const t0 = nowNs();
      const spans = Array.from({ length: 80 }, (_, k) => makeSpan({ name: `burst-${i}-${k}`, startNs: t0 + BigInt(k), endNs: t0 + BigInt(k) + 10n }));
      const ids = spans.map((s) => s.span_id.toString('hex'));
      const body = encodeRequest('traces', traceRequest(service, spans));
      if (i % 2 === 0) {
        jobs.push(postOtlp(augur, 'traces', body).then((r) => {
          if (r.status === 200) accepted.push(...ids);
          else if (r.status === 429) refused.push({ protocol: 'http', retryAfter: r.headers['retry-after'] });
          else unexpected.push(`HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
        }, (e) => unexpected.push(`HTTP error ${e.message}`)));
      } else {
        jobs.push(grpcRawExport(grpc, 'traces', body).then((r) => {
          if (r.code === grpcStatus.OK) accepted.push(...ids);
          else if (r.code === grpcStatus.RESOURCE_EXHAUSTED) refused.push({ protocol: 'grpc' });
          else unexpected.push(`gRPC ${grpcStatusName(r.code)} ${r.details}`);
        }));
      }
    }
    await Promise.all(jobs);
    return { accepted, refused, unexpected };
  }

  it('answers 429 with Retry-After / RESOURCE_EXHAUSTED when full, and stores exactly what it accepted', T, async (t) => {
    const service = `it-queue-${SUFFIX}`;
    const { accepted, refused, unexpected } = await burst(service);
    t.diagnostic(`accepted ${accepted.length / 80} batches, refused ${refused.length}`);
    assert.deepEqual(unexpected, [], 'every request was answered 200/OK or 429/RESOURCE_EXHAUSTED');
    const http429 = refused.filter((r) => r.protocol === 'http');
    assert.ok(http429.length > 0, 'the burst filled the queue for an HTTP request');
    assert.ok(refused.some((r) => r.protocol === 'grpc'), 'the burst filled the queue for a gRPC request');
    for (const r of http429) {
      assert.match(String(r.retryAfter), /^\d+$/, `429 carries Retry-After in seconds (got ${r.retryAfter})`);
    }
    assert.ok(accepted.length > 0, 'some batches got in');
    const ids = await waitFor(async () => {
      const j = await augur.apiJson(`/api/v1/spans?service=${encodeURIComponent(service)}&limit=10000`);
      return j.spans.length >= accepted.length ? j.spans.map((s) => s.span_id) : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `the ${accepted.length} accepted spans` });
    assert.deepEqual(ids.sort(), [...accepted].sort(), 'exactly the accepted spans are stored');
  });

  it('the SDK HTTP exporters retry after 429 and get everything in during a burst', T, async (t) => {
    const pipes = ['http-proto', 'http-json'].map((transport) => {
      const p = makePipelines(transport, augur, { 'service.name': `it-queue-sdk-${transport}-${SUFFIX}` });
      return { transport, p, tracer: p.tracerProvider.getTracer('queue') };
    });
    const spans = [];
    const burstDone = burst(`it-queue-burst2-${SUFFIX}`);
    for (let i = 0; i < 10; i++) {
      for (const { transport, tracer } of pipes) {
        const s = tracer.startSpan(`sdk-${transport}-${i}`);
        s.end();
        spans.push(s.spanContext());
      }
    }
    const b = await burstDone;
    t.diagnostic(`burst alongside: accepted ${b.accepted.length / 80} batches, refused ${b.refused.length}`);
    for (const { p } of pipes) await p.tracerProvider.forceFlush();
    for (const { transport, p } of pipes) {
      p.recorders.spans.assertAllSucceeded(`${transport} spans during the burst`);
      await p.flushAndShutdown();
    }
    for (const sc of spans) await expectTraceSpans(augur, sc.traceId, [sc.spanId]);
  });
});
