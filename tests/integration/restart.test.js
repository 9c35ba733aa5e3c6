// Durability: what augur acknowledged (HTTP 200 / gRPC OK) survives kill -9
// and a restart on the same data directory; and a graceful stop (SIGTERM)
// exits 0 and keeps everything too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { startAugur, makeTempDir, removeDir, waitFor, hrToNs, rfc3339ToNs, uniqueSuffix } from './lib/augur.js';
import {
  encodeRequest, postOtlp, grpcClient, grpcRawExport, grpcStatus, grpcStatusName, makeSpan, traceRequest, randomBytes, nowNs,
} from './lib/otlp.js';
import { TRANSPORTS, makePipelines } from './lib/sdk.js';

const SUFFIX = uniqueSuffix();
const T = { timeout: 120_000 };
const VISIBLE_TIMEOUT_MS = 15_000;

// Sends spans, metrics and logs with the SDK over every transport; answers
// what was acknowledged, per transport.
async function sendWithSdk(augur, tag) {
  const sent = {};
  for (const transport of TRANSPORTS) {
    const service = `it-restart-${tag}-${transport}-${SUFFIX}`;
    const p = makePipelines(transport, augur, { 'service.name': service, 'service.version': tag });
    const tracer = p.tracerProvider.getTracer('restart');
    const parent = tracer.startSpan(`${tag}-parent`, { kind: SpanKind.SERVER });
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    for (let i = 0; i < 3; i++) tracer.startSpan(`${tag}-child-${i}`, { kind: SpanKind.INTERNAL, attributes: { i } }, ctx).end();
    parent.end();
    const counter = p.meterProvider.getMeter('restart').createCounter('it.restart.count');
    counter.add(4, { tag });
    counter.add(5, { tag });
    const logger = p.loggerProvider.getLogger('restart');
    logger.emit({ body: `${tag}-log-1`, severityNumber: SeverityNumber.WARN, context: ctx });
    logger.emit({ body: `${tag}-log-2`, severityNumber: SeverityNumber.ERROR });
    await p.flushAndShutdown();
    for (const [k, r] of Object.entries(p.recorders)) r.assertAllSucceeded(`${transport} ${k}`);
    const metricPoints = p.recorders.metrics.exported
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => m.dataPoints)));
    sent[transport] = {
      service,
      traceId: parent.spanContext().traceId,
      spans: p.recorders.spans.exported.map((s) => ({ spanId: s.spanContext().spanId, name: s.name, start: hrToNs(s.startTime) })),
      logs: p.recorders.logs.exported.map((l) => l.body),
      metricTimes: metricPoints.map((dp) => hrToNs(dp.endTime)),
    };
    assert.equal(sent[transport].spans.length, 4);
    assert.equal(sent[transport].logs.length, 2);
    assert.ok(sent[transport].metricTimes.length >= 1);
  }
  return sent;
}

async function expectSdkData(augur, sent, what) {
  for (const [transport, s] of Object.entries(sent)) {
    const tr = await waitFor(async () => {
      const r = await augur.api(`/api/v1/traces/${s.traceId}`);
      return r.status === 200 && r.json.spans.length >= s.spans.length ? r.json : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `${what}: trace of ${transport}` });
    assert.deepEqual(tr.spans.map((x) => x.span_id).sort(), s.spans.map((x) => x.spanId).sort(), `${what}: spans of ${transport}`);
    for (const x of s.spans) {
      const g = tr.spans.find((y) => y.span_id === x.spanId);
      assert.equal(g.name, x.name);
      assert.equal(rfc3339ToNs(g.start_time), x.start);
      assert.equal(g.service, s.service);
    }
    const logs = await waitFor(async () => {
      const j = await augur.apiJson(`/api/v1/logs?service=${encodeURIComponent(s.service)}`);
      return j.logs.length >= s.logs.length ? j : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `${what}: logs of ${transport}` });
    assert.deepEqual(logs.logs.map((l) => l.body).sort(), [...s.logs].sort(), `${what}: logs of ${transport}`);
    const m = await waitFor(async () => {
      const j = await augur.apiJson(`/api/v1/metrics?name=it.restart.count&service=${encodeURIComponent(s.service)}`);
      return j.points.length >= s.metricTimes.length ? j : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `${what}: metric points of ${transport}` });
    assert.deepEqual(m.points.map((pt) => rfc3339ToNs(pt.time)).sort(), [...s.metricTimes].sort(), `${what}: metric points of ${transport}`);
    assert.equal(m.points.at(-1).value, 9, `${what}: counter value of ${transport}`);
  }
}

// Raw protobuf batches over HTTP and gRPC; answers the span ids acknowledged.
async function sendBulk(augur, service, { httpBatches = 12, grpcBatches = 8, spansPerBatch = 50 } = {}) {
  const grpc = grpcClient(augur);
  const acked = [];
  try {
    const jobs = [];
    for (let b = 0; b < httpBatches + grpcBatches; b++) {
      const t0 = nowNs();
      const spans = Array.from({ length: spansPerBatch }, (_, i) => makeSpan({ name: `bulk-${b}-${i}`, startNs: t0 + BigInt(i), endNs: t0 + BigInt(i) + 1000n }));
      const body = encodeRequest('traces', traceRequest(service, spans));
      const ids = spans.map((s) => s.span_id.toString('hex'));
      if (b < httpBatches) {
        jobs.push(postOtlp(augur, 'traces', body).then((r) => {
          assert.equal(r.status, 200, `bulk batch ${b}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
          acked.push(...ids);
        }));
      } else {
        jobs.push(grpcRawExport(grpc, 'traces', body).then((r) => {
          assert.equal(r.code, grpcStatus.OK, `bulk batch ${b}: gRPC ${grpcStatusName(r.code)} ${r.details}`);
          acked.push(...ids);
        }));
      }
    }
    await Promise.all(jobs);
  } finally {
    grpc.close();
  }
  return acked;
}

async function storedSpanIds(augur, service) {
  const j = await augur.apiJson(`/api/v1/spans?service=${encodeURIComponent(service)}&limit=10000`);
  return j.spans.map((s) => s.span_id);
}

describe('restart', { timeout: 400_000 }, () => {
  let dataDir;
  const running = new Set();
  const start = async () => {
    const a = await startAugur({ dataDir });
    running.add(a);
    return a;
  };

  before(() => {
    dataDir = makeTempDir('augur-it-restart-');
  });

  after(async () => {
    for (const a of running) await a.stop();
    removeDir(dataDir);
  }, { timeout: 60_000 });

  let sentBefore;
  let bulkBefore;
  const bulkService = `it-restart-bulk-${SUFFIX}`;

  it('keeps everything acknowledged across kill -9 and a restart on the same data dir', T, async () => {
    const a1 = await start();
    sentBefore = await sendWithSdk(a1, 'before');
    bulkBefore = await sendBulk(a1, bulkService);
    assert.equal(bulkBefore.length, 20 * 50);
    // No waiting for the data to become visible first: acknowledged is enough.
    const exit = await a1.kill9();
    assert.equal(exit.signal, 'SIGKILL');

    const a2 = await start();
    await expectSdkData(a2, sentBefore, 'after kill -9');
    const ids = await waitFor(async () => {
      const got = await storedSpanIds(a2, bulkService);
      return got.length >= bulkBefore.length ? got : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `${bulkBefore.length} bulk spans after kill -9` });
    assert.deepEqual([...ids].sort(), [...bulkBefore].sort());
    const services = (await a2.apiJson('/api/v1/services')).services.map((s) => s.name);
    for (const s of Object.values(sentBefore)) assert.ok(services.includes(s.service), `${s.service} listed after restart`);

    // It goes on taking data after the restart.
    const sentAfter = await sendWithSdk(a2, 'after');
    await expectSdkData(a2, sentAfter, 'after the restart');

    // A graceful stop exits 0, and a third start still has everything.
    const stopped = await a2.stop({ keepDataDir: true });
    running.delete(a2);
    assert.equal(stopped.forced, false, 'augur exits on SIGTERM within 10 s');
    assert.equal(stopped.code, 0, `exit code after SIGTERM: ${JSON.stringify(stopped)}\n${a2.describeOutput()}`);
    const a3 = await start();
    await expectSdkData(a3, sentBefore, 'after the second restart (old data)');
    await expectSdkData(a3, sentAfter, 'after the second restart (new data)');
    assert.deepEqual((await storedSpanIds(a3, bulkService)).sort(), [...bulkBefore].sort());
    await a3.stop({ keepDataDir: true });
    running.delete(a3);
  });

  it('keeps every acknowledged batch when kill -9 lands in the middle of the traffic', T, async () => {
    const service = `it-restart-midflight-${SUFFIX}`;
    const a = await start();
    const grpc = grpcClient(a);
    const acked = [];
    let killed = false;
    // Four lanes send batches one after another; the test kills augur once 15
    // batches have been acknowledged, while the lanes are still sending.
    const lane = async (laneNo) => {
      for (let b = 0; b < 40 && !killed; b++) {
        const t0 = nowNs();
        const spans = Array.from({ length: 20 }, (_, i) => makeSpan({
          traceId: randomBytes(16), name: `mid-${laneNo}-${b}-${i}`, startNs: t0 + BigInt(i), endNs: t0 + BigInt(i) + 10n,
        }));
        const body = encodeRequest('traces', traceRequest(service, spans));
        let ok = false;
        try {
          if (laneNo % 2 === 0) ok = (await postOtlp(a, 'traces', body)).status === 200;
          else ok = (await grpcRawExport(grpc, 'traces', body, { timeoutMs: 5_000 })).code === grpcStatus.OK;
        } catch {
          ok = false; // the connection died with augur
        }
        if (ok) acked.push(...spans.map((s) => s.span_id.toString('hex')));
        if (ok && acked.length >= 15 * 20 && !killed) {
          killed = true;
          await a.kill9();
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(lane));
    grpc.close();
    running.delete(a);
    assert.ok(killed, `augur was killed mid-traffic (acked ${acked.length / 20} batches)`);
    assert.ok(acked.length >= 15 * 20);

    const b = await start();
    const ids = await waitFor(async () => {
      const got = await storedSpanIds(b, service);
      return got.length >= acked.length ? got : null;
    }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `all ${acked.length} acknowledged spans after kill -9 mid-traffic` });
    const stored = new Set(ids);
    const missing = acked.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged spans lost`);
    // Batches are all-or-nothing: whatever was stored beyond the acked ones is
    // whole batches (a batch in flight at the kill may or may not be there).
    assert.equal(ids.length % 20, 0, `stored ${ids.length} spans: whole batches only`);
    await b.stop({ keepDataDir: true });
    running.delete(b);
  });
});
