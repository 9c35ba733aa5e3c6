// TLS, the YAML config file and listener errors.
//
// TLS: a throwaway self-signed certificate made with the openssl CLI at test
// time; augur serves OTLP/HTTP, OTLP/gRPC and the query API over TLS with it.
// The SDK exporters and the query API, trusting that certificate, get data in
// and back out; plain HTTP and clients that do not trust it get nothing.
// YAML: a --config file alone configures augur (ports, data dir, token, body
// limit, TLS), a flag overrides the file, and a bad file fails fast.
// Listeners: a second augur on a port the first one holds exits non-zero.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  startAugur, runAugur, httpGet, makeTempDir, removeDir, waitFor, uniqueSuffix, hrToNs, rfc3339ToNs,
} from './lib/augur.js';
import {
  SIGNALS, encodeRequest, postOtlp, rawPost, grpcClient, grpcRawExport, grpcStatus, grpcStatusName,
  validRequest, validJsonRequest, makeSpan, traceRequest, randomBytes, nowNs,
} from './lib/otlp.js';
import { TRANSPORTS, Recorder, makeTraceExporter, makePipelines, withQuietSdk } from './lib/sdk.js';

const SUFFIX = uniqueSuffix();
const T = { timeout: 60_000 };
const VISIBLE_TIMEOUT_MS = 15_000;
// How long a client waits for a server that should refuse it at once.
const REFUSE_TIMEOUT_MS = 5_000;
// A bad config or a taken port must end augur well within this.
const FAIL_FAST_MS = 5_000;

// A self-signed certificate for localhost and 127.0.0.1, valid for a day.
// Answers {certFile, keyFile, ca (the certificate, PEM Buffer), fingerprint256}.
function makeCert(dir) {
  const certFile = path.join(dir, 'c.pem');
  const keyFile = path.join(dir, 'k.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (err) {
    throw new Error(`openssl could not make a test certificate (is the openssl CLI installed?): ${err.message}\n${err.stderr ?? ''}`);
  }
  const ca = fs.readFileSync(certFile);
  return { certFile, keyFile, ca, fingerprint256: new crypto.X509Certificate(ca).fingerprint256 };
}

// Resolves to the error of a request that must fail, or throws if it got an
// answer (or took longer than REFUSE_TIMEOUT_MS: a refusal has to be prompt).
async function expectRequestError(what, promise) {
  let res;
  try {
    res = await promise;
  } catch (err) {
    assert.doesNotMatch(String(err.message), /timed out/, `${what}: must be refused at once, not left hanging: ${err.message}`);
    return err;
  }
  assert.fail(`${what}: expected no response, got HTTP ${res.status}: ${String(res.text ?? res.body ?? '').slice(0, 200)}`);
}

// The error codes Node gives a TLS client that does not trust the server's
// self-signed certificate.
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

// Sends a SERVER span, a counter and a log record with the SDK over
// `transport`, checks every export succeeded, and reads all three back.
async function sdkRoundTrip(augur, transport, { token } = {}) {
  const service = `it-tls-${transport}-${SUFFIX}-${Math.random().toString(36).slice(2, 6)}`;
  const p = makePipelines(transport, augur, { 'service.name': service }, { token });
  const span = p.tracerProvider.getTracer('tls').startSpan(`over-tls-${transport}`, {
    kind: SpanKind.SERVER, attributes: { 'tls.transport': transport },
  });
  span.end();
  p.meterProvider.getMeter('tls').createCounter('it.tls.count').add(5, { transport });
  p.loggerProvider.getLogger('tls').emit({ body: `log over ${transport}`, severityNumber: SeverityNumber.WARN });
  await p.flushAndShutdown();
  for (const [k, r] of Object.entries(p.recorders)) r.assertAllSucceeded(`${transport} ${k} over TLS`);

  const sdkSpan = p.recorders.spans.exported[0];
  const { traceId, spanId } = span.spanContext();
  const tr = await waitFor(async () => {
    const r = await augur.api(`/api/v1/traces/${traceId}`, { token });
    return r.status === 200 && r.json.spans.length >= 1 ? r.json : null;
  }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `trace of ${service}` });
  assert.equal(tr.spans.length, 1, JSON.stringify(tr));
  assert.equal(tr.spans[0].span_id, spanId);
  assert.equal(tr.spans[0].name, `over-tls-${transport}`);
  assert.equal(tr.spans[0].attributes['tls.transport'], transport);
  assert.equal(rfc3339ToNs(tr.spans[0].start_time), hrToNs(sdkSpan.startTime));

  const logs = await waitFor(async () => {
    const j = await augur.apiJson(`/api/v1/logs?service=${encodeURIComponent(service)}`, { token });
    return j.logs.length >= 1 ? j : null;
  }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `log of ${service}` });
  assert.deepEqual(logs.logs.map((l) => l.body), [`log over ${transport}`]);
  assert.equal(logs.logs[0].severity_number, SeverityNumber.WARN);

  const m = await waitFor(async () => {
    const j = await augur.apiJson(`/api/v1/metrics?name=it.tls.count&service=${encodeURIComponent(service)}`, { token });
    return j.points.length >= 1 ? j : null;
  }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `metric of ${service}` });
  assert.equal(m.points.at(-1).value, 5);
}

describe('TLS', { timeout: 240_000 }, () => {
  let dir;
  let cert;

  before(() => {
    dir = makeTempDir('augur-it-tls-');
    cert = makeCert(dir);
  });

  after(() => removeDir(dir));

  describe('without a token', () => {
    let augur;

    before(async () => {
      augur = await startAugur({ args: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile], tls: { ca: cert.ca } });
    }, { timeout: 30_000 });

    after(async () => {
      const e = await augur?.stop();
      if (e) assert.equal(e.code, 0, `augur with TLS did not stop cleanly\n${augur.describeOutput()}`);
    }, { timeout: 30_000 });

    it('the query API answers over https with the test certificate', T, async () => {
      const r = await augur.api('/api/v1/services');
      assert.equal(r.status, 200, r.text);
      assert.ok(Array.isArray(r.json?.services), r.text);
      assert.equal(r.peerFingerprint256, cert.fingerprint256, 'augur presents the certificate it was given');
    });

    for (const transport of TRANSPORTS) {
      it(`the SDK gets spans, metrics and logs in over ${transport} with TLS, and they read back over https`, T,
        () => sdkRoundTrip(augur, transport));
    }

    it('raw OTLP/HTTP (protobuf and JSON) and OTLP/gRPC over TLS are acknowledged', T, async () => {
      const grpcC = grpcClient(augur);
      try {
        for (const signal of SIGNALS) {
          const service = `it-tls-raw-${signal}-${SUFFIX}`;
          const proto = await postOtlp(augur, signal, encodeRequest(signal, validRequest(signal, service)), { ct: 'proto' });
          assert.equal(proto.status, 200, `${signal} protobuf over https: ${proto.status} ${proto.body.toString().slice(0, 300)}`);
          const json = await postOtlp(augur, signal, JSON.stringify(validJsonRequest(signal, service)), { ct: 'json' });
          assert.equal(json.status, 200, `${signal} JSON over https: ${json.status} ${json.body.toString().slice(0, 300)}`);
          const g = await grpcRawExport(grpcC, signal, encodeRequest(signal, validRequest(signal, service)));
          assert.equal(g.code, grpcStatus.OK, `${signal} over gRPC+TLS: ${grpcStatusName(g.code)} ${g.details}`);
        }
      } finally {
        grpcC.close();
      }
    });

    it('plain HTTP and plaintext gRPC to the TLS ports get no answer', T, async () => {
      const api = `http://127.0.0.1:${augur.ports.api}`;
      const otlp = `http://127.0.0.1:${augur.ports.otlp_http}`;
      await expectRequestError(`plain GET ${api}/api/v1/services`,
        httpGet(`${api}/api/v1/services`, { timeoutMs: REFUSE_TIMEOUT_MS }));
      const body = encodeRequest('traces', validRequest('traces', `it-tls-plain-${SUFFIX}`));
      await expectRequestError(`plain POST ${otlp}/v1/traces`,
        rawPost(`${otlp}/v1/traces`, body, { 'content-type': 'application/x-protobuf' }, { timeoutMs: REFUSE_TIMEOUT_MS }));
      const plain = new grpc.Client(augur.grpcAddr, grpc.credentials.createInsecure());
      try {
        const g = await grpcRawExport(plain, 'traces', body, { timeoutMs: REFUSE_TIMEOUT_MS });
        assert.equal(g.code, grpcStatus.UNAVAILABLE, `plaintext gRPC to the TLS port: ${grpcStatusName(g.code)} ${g.details}`);
      } finally {
        plain.close();
      }
      // None of that got in, and augur still serves TLS.
      const r = await augur.apiJson(`/api/v1/spans?service=${encodeURIComponent(`it-tls-plain-${SUFFIX}`)}`);
      assert.deepEqual(r.spans, []);
      assert.ok(augur.running, augur.describeOutput());
    });

    it('an https or gRPC client that does not trust the certificate is refused', T, () => withQuietSdk(async () => {
      for (const url of [`${augur.apiUrl}/api/v1/services`]) {
        const err = await expectRequestError(`GET ${url} without trusting the cert`, httpGet(url, { timeoutMs: REFUSE_TIMEOUT_MS }));
        assert.ok(UNTRUSTED_CODES.has(err.code), `GET ${url} without trusting the cert: ${err.code} ${err.message}`);
      }
      const body = encodeRequest('traces', validRequest('traces', `it-tls-untrusted-${SUFFIX}`));
      const err = await expectRequestError('OTLP/HTTP POST without trusting the cert',
        rawPost(`${augur.otlpHttpUrl}/v1/traces`, body, { 'content-type': 'application/x-protobuf' }, { timeoutMs: REFUSE_TIMEOUT_MS }));
      assert.match(err.message, /self[- ]signed|unable to verify|certificate/i, err.message);

      const untrusted = new grpc.Client(augur.grpcAddr, grpc.credentials.createSsl());
      try {
        const g = await grpcRawExport(untrusted, 'traces', body, { timeoutMs: REFUSE_TIMEOUT_MS });
        assert.equal(g.code, grpcStatus.UNAVAILABLE, `gRPC without trusting the cert: ${grpcStatusName(g.code)} ${g.details}`);
      } finally {
        untrusted.close();
      }

      // The SDK exporters with only the system's CAs fail too.
      for (const transport of TRANSPORTS) {
        const rec = new Recorder(makeTraceExporter(transport, augur, { ca: null }));
        const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(rec)] });
        provider.getTracer('untrusted').startSpan('untrusted').end();
        await assert.rejects(provider.forceFlush(), `${transport}: an export that does not trust the cert rejects`);
        await provider.shutdown();
        assert.equal(rec.results.length, 1);
        assert.notEqual(rec.results[0].code, 0, `${transport}: an export that does not trust the cert must fail`);
      }
      // And augur still serves a client that trusts it.
      const r = await augur.api('/api/v1/services');
      assert.equal(r.status, 200, r.text);
    }));
  });

  describe('with a bearer token', () => {
    const TOKEN = `tls-token-${SUFFIX}`;
    let augur;

    before(async () => {
      augur = await startAugur({
        args: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--auth-token', TOKEN], tls: { ca: cert.ca },
      });
    }, { timeout: 30_000 });

    after(async () => {
      await augur?.stop();
    }, { timeout: 30_000 });

    it('OTLP/HTTP, OTLP/gRPC and the API over TLS need the token', T, async () => {
      const grpcC = grpcClient(augur);
      try {
        for (const signal of SIGNALS) {
          const body = encodeRequest(signal, validRequest(signal, `it-tls-auth-${signal}-${SUFFIX}`));
          for (const token of [undefined, 'wrong']) {
            const res = await postOtlp(augur, signal, body, { token });
            assert.equal(res.status, 401, `${signal} over https with token ${token}: HTTP ${res.status}`);
            const g = await grpcRawExport(grpcC, signal, body, { token });
            assert.equal(g.code, grpcStatus.UNAUTHENTICATED, `${signal} over gRPC+TLS with token ${token}: ${grpcStatusName(g.code)}`);
          }
          const ok = await postOtlp(augur, signal, body, { token: TOKEN });
          assert.equal(ok.status, 200, `${signal} over https with the token: HTTP ${ok.status} ${ok.body.toString().slice(0, 300)}`);
          const g = await grpcRawExport(grpcC, signal, body, { token: TOKEN });
          assert.equal(g.code, grpcStatus.OK, `${signal} over gRPC+TLS with the token: ${grpcStatusName(g.code)} ${g.details}`);
        }
      } finally {
        grpcC.close();
      }
      for (const token of [undefined, 'wrong']) {
        const r = await augur.api('/api/v1/services', { token });
        assert.equal(r.status, 401, `GET /api/v1/services over https with token ${token}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      // What the token let in is readable with it.
      await waitFor(async () => {
        const r = await augur.api('/api/v1/services', { token: TOKEN });
        assert.equal(r.status, 200, r.text);
        const names = r.json.services.map((s) => s.name);
        return SIGNALS.every((signal) => names.includes(`it-tls-auth-${signal}-${SUFFIX}`));
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: 'the services sent with the token' });
    });

    for (const transport of TRANSPORTS) {
      it(`the SDK with the token gets everything in over ${transport} with TLS`, T,
        () => sdkRoundTrip(augur, transport, { token: TOKEN }));
    }
  });
});

// A valid trace request with one span whose attribute 'pad' has padBytes
// characters, so that the body is about that big. Answers {body, traceId, spanId}.
function paddedTrace(service, padBytes) {
  const traceId = randomBytes(16);
  const spanId = randomBytes(8);
  const t = nowNs();
  const req = traceRequest(service, [makeSpan({
    traceId, spanId, name: 'padded', startNs: t, endNs: t + 1_000_000n, attrs: { pad: 'p'.repeat(padBytes) },
  })]);
  return { body: encodeRequest('traces', req), traceId: traceId.toString('hex'), spanId: spanId.toString('hex') };
}

async function expectStoredPadded(augur, p, padBytes, token) {
  const tr = await waitFor(async () => {
    const r = await augur.api(`/api/v1/traces/${p.traceId}`, { token });
    return r.status === 200 && r.json.spans.length >= 1 ? r.json : null;
  }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `padded trace ${p.traceId}` });
  assert.equal(tr.spans.length, 1);
  assert.equal(tr.spans[0].span_id, p.spanId);
  assert.equal(tr.spans[0].attributes.pad.length, padBytes);
}

describe('YAML config file', { timeout: 180_000 }, () => {
  const TOKEN = `yaml-token-${SUFFIX}`;
  let dir;
  let dataDir;
  let configFile;

  // 64 KiB is the limit the file sets: 60 KiB fits, 100 KiB does not.
  const SMALL_PAD = 60 * 1024;
  const BIG_PAD = 100 * 1024;

  before(() => {
    dir = makeTempDir('augur-it-yaml-');
    dataDir = path.join(dir, 'data from yaml');
    configFile = path.join(dir, 'augur.yaml');
    fs.writeFileSync(configFile, [
      '# augur end-to-end test configuration',
      `data_dir: ${JSON.stringify(dataDir)}`,
      'otlp:',
      '  grpc_addr: 127.0.0.1:0',
      '  http_addr: "127.0.0.1:0"',
      '  max_body_size: 64KiB',
      '  queue_capacity_items: 50000',
      'api:',
      '  http_addr: 127.0.0.1:0',
      `auth_token: ${TOKEN}`,
      'retention: {max_age: 2d, max_size: 1GiB}',
      'log_level: info',
      '',
    ].join('\n'));
  });

  after(() => removeDir(dir));

  it('the file alone sets the ports, the data dir, the token and the body limit', T, async () => {
    // cwd: the temp dir, so that an ignored data_dir cannot litter the repo.
    const augur = await startAugur({ bare: true, args: ['--config', configFile], dataDir, cwd: dir });
    try {
      for (const [k, dflt] of [['otlp_grpc', 4317], ['otlp_http', 4318], ['api', 8080]]) {
        assert.notEqual(augur.ports[k], dflt, `${k} listens on the file's port 0, not the default`);
      }
      assert.match(augur.stderr, /augur ready \(data dir (.*)\)/);
      assert.ok(augur.stderr.includes(`data dir ${dataDir}`), `ready line names the data dir of the file\n${augur.describeOutput()}`);
      assert.ok(fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0, `augur created its database in ${dataDir}`);

      // The token of the file is required.
      const small = paddedTrace(`it-yaml-${SUFFIX}`, SMALL_PAD);
      assert.ok(small.body.length < 64 * 1024, `fixture: ${small.body.length} bytes fit 64 KiB`);
      for (const token of [undefined, 'wrong']) {
        const res = await postOtlp(augur, 'traces', small.body, { token });
        assert.equal(res.status, 401, `POST without the file's token (${token}): HTTP ${res.status}`);
        const r = await augur.api('/api/v1/services', { token });
        assert.equal(r.status, 401, `GET /api/v1/services without the file's token (${token}): ${r.status}`);
      }
      // A body under 64 KiB is taken, one of 100 KiB is 413.
      const ok = await postOtlp(augur, 'traces', small.body, { token: TOKEN });
      assert.equal(ok.status, 200, `${small.body.length}-byte body with the token: HTTP ${ok.status} ${ok.body.toString().slice(0, 300)}`);
      await expectStoredPadded(augur, small, SMALL_PAD, TOKEN);
      const big = paddedTrace(`it-yaml-${SUFFIX}`, BIG_PAD);
      assert.ok(big.body.length > 100 * 1024 && big.body.length < 1024 * 1024, `fixture: ${big.body.length} bytes`);
      const res = await postOtlp(augur, 'traces', big.body, { token: TOKEN });
      assert.equal(res.status, 413, `${big.body.length}-byte body over max_body_size 64KiB: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      const r = await augur.api(`/api/v1/traces/${big.traceId}`, { token: TOKEN });
      assert.equal(r.status, 404, `the refused trace is not stored: ${r.status} ${r.text.slice(0, 200)}`);
      // gRPC takes the limit from the file too.
      const g = grpcClient(augur);
      try {
        const e = await grpcRawExport(g, 'traces', big.body, { token: TOKEN });
        assert.equal(e.code, grpcStatus.RESOURCE_EXHAUSTED, `gRPC ${big.body.length}-byte message: ${grpcStatusName(e.code)} ${e.details}`);
      } finally {
        g.close();
      }
    } finally {
      const e = await augur.stop();
      assert.equal(e.code, 0, `stop exit code\n${augur.describeOutput()}`);
    }
  });

  it('a flag overrides the file (--max-body-size 1MiB), the rest of the file still applies', T, async () => {
    const augur = await startAugur({ bare: true, args: ['--config', configFile, '--max-body-size', '1MiB'], dataDir, cwd: dir });
    try {
      const big = paddedTrace(`it-yaml-${SUFFIX}`, BIG_PAD);
      const noToken = await postOtlp(augur, 'traces', big.body);
      assert.equal(noToken.status, 401, `still needs the file's token: HTTP ${noToken.status}`);
      const res = await postOtlp(augur, 'traces', big.body, { token: TOKEN });
      assert.equal(res.status, 200, `${big.body.length}-byte body with --max-body-size 1MiB: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
      await expectStoredPadded(augur, big, BIG_PAD, TOKEN);
      const g = grpcClient(augur);
      try {
        const again = paddedTrace(`it-yaml-${SUFFIX}`, BIG_PAD);
        const e = await grpcRawExport(g, 'traces', again.body, { token: TOKEN });
        assert.equal(e.code, grpcStatus.OK, `gRPC ${again.body.length}-byte message with --max-body-size 1MiB: ${grpcStatusName(e.code)} ${e.details}`);
      } finally {
        g.close();
      }
    } finally {
      await augur.stop();
    }
  });

  it('TLS can be set in the file', T, async () => {
    const cert = makeCert(dir);
    const tlsFile = path.join(dir, 'tls.yaml');
    fs.writeFileSync(tlsFile, [
      `data_dir: ${JSON.stringify(path.join(dir, 'tls-data'))}`,
      'otlp: {grpc_addr: 127.0.0.1:0, http_addr: 127.0.0.1:0}',
      'api: {http_addr: 127.0.0.1:0}',
      `tls: {cert_file: ${JSON.stringify(cert.certFile)}, key_file: ${JSON.stringify(cert.keyFile)}}`,
      '',
    ].join('\n'));
    const augur = await startAugur({ bare: true, args: ['--config', tlsFile], dataDir: path.join(dir, 'tls-data'), cwd: dir, tls: { ca: cert.ca } });
    try {
      const r = await augur.api('/api/v1/services');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.peerFingerprint256, cert.fingerprint256);
      await sdkRoundTrip(augur, 'grpc');
      await expectRequestError('plain GET to the API of a TLS config',
        httpGet(`http://127.0.0.1:${augur.ports.api}/api/v1/services`, { timeoutMs: REFUSE_TIMEOUT_MS }));
    } finally {
      await augur.stop();
    }
  });

  // Each bad file: its text and what stderr has to name.
  const BAD = [
    ['an unknown key under otlp', 'otlp: {grcp_addr: x}\n', 'grcp_addr'],
    ['an unknown top-level key', `data_dir: ${JSON.stringify('/nonexistent/augur-it')}\ndat_dir: x\n`, 'dat_dir'],
    ['an unknown key under retention', 'retention: {max_ag: 1d}\n', 'max_ag'],
    ['a size that is not one', 'otlp: {max_body_size: lots}\n', 'lots'],
  ];
  for (const [what, text, named] of BAD) {
    it(`a config file with ${what} makes augur exit non-zero at once, naming ${JSON.stringify(named)}`, T, async () => {
      const bad = path.join(dir, `bad-${named}.yaml`);
      fs.writeFileSync(bad, text);
      const r = await runAugur(['serve', '--config', bad], { timeoutMs: 15_000, cwd: dir, killOn: /augur ready/ });
      assert.equal(r.killedOn, null, `augur came up with a bad config\n${r.describe()}`);
      assert.equal(r.timedOut, false, `augur did not exit on a bad config\n${r.describe()}`);
      assert.ok(r.elapsedMs < FAIL_FAST_MS, `augur took ${r.elapsedMs} ms to reject the config\n${r.describe()}`);
      assert.equal(r.signal, null, r.describe());
      assert.notEqual(r.code, 0, `exit code\n${r.describe()}`);
      assert.ok(r.stderr.includes(named), `stderr names ${JSON.stringify(named)}\n${r.describe()}`);
      assert.doesNotMatch(r.stderr + r.stdout, /augur ready|listening on/, r.describe());
    });
  }
});

describe('a port that is taken', { timeout: 120_000 }, () => {
  let first;
  const dirs = [];

  before(async () => {
    first = await startAugur();
  }, { timeout: 30_000 });

  after(async () => {
    await first?.stop();
    for (const d of dirs) removeDir(d);
  }, { timeout: 30_000 });

  // The listener under test gets the first augur's port, the others port 0.
  for (const [listener, flag] of [['otlp_http', '--otlp-http-addr'], ['otlp_grpc', '--otlp-grpc-addr'], ['api', '--http-addr']]) {
    it(`a second augur on the ${listener} port of a running one exits non-zero with "cannot listen"`, T, async () => {
      const port = first.ports[listener];
      const d = makeTempDir();
      dirs.push(d);
      const addrs = { '--otlp-grpc-addr': '127.0.0.1:0', '--otlp-http-addr': '127.0.0.1:0', '--http-addr': '127.0.0.1:0' };
      addrs[flag] = `127.0.0.1:${port}`;
      const argv = ['serve', '--data-dir', d, ...Object.entries(addrs).flat()];
      const r = await runAugur(argv, { timeoutMs: 15_000, cwd: d, killOn: /augur ready/ });
      assert.equal(r.killedOn, null, `the second augur came up on the taken ${listener} port ${port}\n${r.describe()}`);
      assert.equal(r.timedOut, false, `the second augur kept running on a taken ${listener} port\n${r.describe()}`);
      assert.ok(r.elapsedMs < FAIL_FAST_MS, `took ${r.elapsedMs} ms\n${r.describe()}`);
      assert.equal(r.signal, null, r.describe());
      assert.notEqual(r.code, 0, `exit code\n${r.describe()}`);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}\\b`), r.describe());
      assert.doesNotMatch(r.stderr, /augur ready/, r.describe());

      // The first one still owns the port and works.
      assert.ok(first.running, first.describeOutput());
      const service = `it-port-${listener}-${SUFFIX}`;
      if (listener === 'otlp_grpc') {
        const g = grpcClient(first);
        try {
          const e = await grpcRawExport(g, 'logs', encodeRequest('logs', validRequest('logs', service)));
          assert.equal(e.code, grpcStatus.OK, `${grpcStatusName(e.code)} ${e.details}`);
        } finally {
          g.close();
        }
      } else {
        const res = await postOtlp(first, 'logs', encodeRequest('logs', validRequest('logs', service)));
        assert.equal(res.status, 200, res.body.toString().slice(0, 300));
      }
      await waitFor(async () => (await first.apiJson(`/api/v1/logs?service=${service}`)).logs.length === 1,
        { timeoutMs: VISIBLE_TIMEOUT_MS, what: `the first augur's log of ${service}` });
    });
  }
  it('a second augur on the data dir of a running one exits non-zero: the directory is locked', T, async () => {
    const argv = ['serve', '--data-dir', first.dataDir, '--otlp-grpc-addr', '127.0.0.1:0',
      '--otlp-http-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0'];
    const r = await runAugur(argv, { timeoutMs: 15_000, killOn: /augur ready/ });
    assert.equal(r.killedOn, null, `the second augur came up on a data dir in use\n${r.describe()}`);
    assert.equal(r.timedOut, false, r.describe());
    assert.notEqual(r.code, 0, `exit code\n${r.describe()}`);
    assert.match(r.stderr, /another augur uses this data directory/, r.describe());
    assert.ok(first.running, first.describeOutput());
  });
});
