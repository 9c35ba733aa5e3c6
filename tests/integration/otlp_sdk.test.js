// The official OpenTelemetry JS SDK sends traces, metrics and logs to augur
// over each OTLP transport (HTTP protobuf, HTTP JSON, gRPC); everything is read
// back through the query API and compared with what the SDK recorded.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, ValueType, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TraceState } from '@opentelemetry/core';
import { AggregationTemporality, AggregationType, DataPointType } from '@opentelemetry/sdk-metrics';
import {
  ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import { startAugur, waitFor, hrToNs, rfc3339ToNs, nsToRfc3339, uniqueSuffix, parsePrometheus } from './lib/augur.js';
import { TRANSPORTS, makePipelines, AggregationTemporalityPreference } from './lib/sdk.js';

// Incubating semantic-convention names (not exported by the stable entry point).
const ATTR_FAAS_NAME = 'faas.name';
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

const SUFFIX = uniqueSuffix();
const VISIBLE_TIMEOUT_MS = 15_000;

const nsToHr = (ns) => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
const randHex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
const ns = (s) => rfc3339ToNs(s);

// The SDK's attribute values as augur's API should show them (JSON).
const SPAN_ATTRS = {
  'http.request.method': 'GET',
  'http.response.status_code': 200,
  'it.negative': -42,
  'it.big': 2 ** 40 + 7,
  'it.ratio': 3.14159,
  'it.flag': true,
  'it.false': false,
  'it.tags': ['a', 'b', 'c'],
  'it.codes': [1, 2, 3],
  'it.weights': [0.5, 1.25],
  'it.bools': [true, false],
  'it.empty': '',
  'it.unicode': 'größe – 東京 ✓',
};

const TEMPORALITY = { [AggregationTemporality.DELTA]: 'delta', [AggregationTemporality.CUMULATIVE]: 'cumulative' };
const POINT_TYPE = {
  [DataPointType.SUM]: 'sum',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
};
// SDK objects may have odd prototypes; compare their JSON form.
const plain = (v) => JSON.parse(JSON.stringify(v ?? {}));
const canonical = (obj) => JSON.stringify(Object.keys(obj).sort().map((k) => [k, obj[k]]));

let augur;

before(async () => {
  augur = await startAugur();
}, { timeout: 30_000 });

after(async () => {
  if (augur) await augur.stop();
}, { timeout: 30_000 });

for (const transport of TRANSPORTS) {
  describe(`OTLP SDK over ${transport}`, { timeout: 120_000 }, () => {
    const service = `it-sdk-${transport}-${SUFFIX}`;
    const resourceAttrs = {
      [ATTR_SERVICE_NAME]: service,
      [ATTR_SERVICE_VERSION]: '1.2.3',
      [ATTR_FAAS_NAME]: `fn-${transport}`,
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: 'integration',
      'augur.test.custom': `custom-${transport}`,
      'augur.test.number': 7,
    };
    // The JSON transport asks for delta temporality, the others cumulative.
    const temporalityPreference = transport === 'http-json'
      ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE;

    let p; // pipelines
    const sent = {}; // what the SDK recorded

    before(async () => {
      p = makePipelines(transport, augur, resourceAttrs, {
        temporalityPreference,
        views: [{ instrumentName: 'it.latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
      });

      // --- traces: a SERVER span (child of a remote parent) with a CLIENT child.
      const base = BigInt(Date.now() - 5_000) * 1_000_000n;
      sent.base = base;
      const remote = {
        traceId: randHex(32), spanId: randHex(16), traceFlags: 1, isRemote: true,
        traceState: new TraceState('vendor=value,other=x'),
      };
      sent.remoteParent = remote;
      const tracer = p.tracerProvider.getTracer('augur-it-tracer', '1.4.2');
      const parent = tracer.startSpan('GET /items', {
        kind: SpanKind.SERVER,
        startTime: nsToHr(base + 123_456_789n),
        attributes: SPAN_ATTRS,
      }, trace.setSpanContext(ROOT_CONTEXT, remote));
      const link = {
        context: { traceId: randHex(32), spanId: randHex(16), traceFlags: 1, traceState: new TraceState('lk=1') },
        attributes: { 'link.reason': 'retry-of', 'link.attempt': 2 },
      };
      sent.link = link;
      const parentCtx = trace.setSpan(ROOT_CONTEXT, parent);
      const child = tracer.startSpan('SELECT items', {
        kind: SpanKind.CLIENT,
        startTime: nsToHr(base + 124_456_790n),
        attributes: { 'db.system.name': 'sqlite', 'db.rows': 17, 'db.cost': 0.75, 'db.cached': false, 'db.tables': ['items', 'users'] },
        links: [link],
      }, parentCtx);
      child.addEvent('cache.miss', { 'cache.key': 'items:42', 'cache.tries': 2 }, nsToHr(base + 125_456_791n));
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'db timeout after 250 ms' });
      child.end(nsToHr(base + 130_956_797n));
      parent.addEvent('response.sent', nsToHr(base + 135_000_001n));
      parent.setStatus({ code: SpanStatusCode.OK });
      parent.end(nsToHr(base + 135_802_467n));
      sent.parentCtx = parent.spanContext();
      sent.childCtx = child.spanContext();

      // --- logs: one tied to the CLIENT span, one structured event without trace context.
      const logger = p.loggerProvider.getLogger('augur-it-logger', '2.0.1');
      logger.emit({
        timestamp: nsToHr(base + 128_000_003n),
        observedTimestamp: nsToHr(base + 128_500_009n),
        severityNumber: SeverityNumber.ERROR,
        severityText: 'ERROR',
        body: 'timeout talking to table',
        attributes: { 'db.table': 'items', 'retry.count': 3, 'it.ratio': 0.5, 'it.flag': false, 'it.list': ['x', 'y'] },
        context: trace.setSpan(ROOT_CONTEXT, child),
      });
      logger.emit({
        timestamp: nsToHr(base + 140_000_011n),
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        eventName: 'it.structured',
        body: { message: 'structured', count: 7, nested: { ok: true, list: [1, 'two'] } },
        attributes: { 'it.kind': 'structured' },
      });

      // --- metrics
      const meter = p.meterProvider.getMeter('augur-it-meter', '3.0.0');
      const counter = meter.createCounter('it.requests', { description: 'Requests served', unit: '{request}', valueType: ValueType.INT });
      counter.add(5, { route: '/a' });
      counter.add(7, { route: '/a' });
      counter.add(1, { route: '/b' });
      const upDown = meter.createUpDownCounter('it.inflight', { description: 'Requests in flight', unit: '{request}' });
      upDown.add(10, { pool: 'main' });
      upDown.add(-3, { pool: 'main' });
      meter.createObservableGauge('it.temperature', { description: 'Sensor temperature', unit: 'Cel' })
        .addCallback((r) => r.observe(42.5, { sensor: 's1' }));
      const hist = meter.createHistogram('it.latency', { description: 'Request latency', unit: 'ms' });
      for (const v of [3, 7, 120]) hist.record(v, { route: '/a' });
      const expHist = meter.createHistogram('it.latency.exp', { description: 'Latency, exponential', unit: 'ms' });
      for (const v of [0.5, 3, 7, 120]) expHist.record(v);

      await p.flushAndShutdown();
      for (const [k, r] of Object.entries(p.recorders)) r.assertAllSucceeded(`${transport} ${k}`);
      sent.spans = p.recorders.spans.exported;
      sent.logs = p.recorders.logs.exported;
      sent.metrics = p.recorders.metrics.exported;
      assert.equal(sent.spans.length, 2, 'the SDK exported both spans');
      assert.equal(sent.logs.length, 2, 'the SDK exported both log records');
    }, { timeout: 60_000 });

    const sdkSpan = (name) => sent.spans.find((s) => s.name === name);
    const sdkLog = (severity) => sent.logs.find((l) => l.severityNumber === severity);

    function checkSpan(got, s, expectedParent) {
      const ctx = s.spanContext();
      assert.equal(got.trace_id, ctx.traceId);
      assert.equal(got.span_id, ctx.spanId);
      assert.equal(got.parent_span_id, expectedParent);
      assert.equal(got.trace_state, ctx.traceState ? ctx.traceState.serialize() : '');
      assert.equal(got.name, s.name);
      assert.equal(got.service, service);
      for (const t of [got.start_time, got.end_time]) assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/, 'RFC 3339 UTC');
      assert.equal(ns(got.start_time), hrToNs(s.startTime), `start_time ${got.start_time} vs SDK ${s.startTime}`);
      assert.equal(ns(got.end_time), hrToNs(s.endTime), `end_time ${got.end_time} vs SDK ${s.endTime}`);
      const durMs = Number(hrToNs(s.endTime) - hrToNs(s.startTime)) / 1e6;
      assert.ok(Math.abs(got.duration_ms - durMs) < 1e-6, `duration_ms ${got.duration_ms} vs ${durMs}`);
      assert.deepEqual(got.attributes, plain(s.attributes));
      assert.deepEqual(got.scope, { name: 'augur-it-tracer', version: '1.4.2' });
      assert.deepEqual(got.resource, resourceAttrs);
      assert.equal(got.events.length, s.events.length);
      s.events.forEach((e, i) => {
        assert.equal(got.events[i].name, e.name);
        assert.equal(ns(got.events[i].time), hrToNs(e.time), `event ${e.name} time`);
        assert.deepEqual(got.events[i].attributes, plain(e.attributes));
      });
    }

    it('stores the SERVER span and its CLIENT child with ids, times, attributes, events, links and status', async () => {
      const traceId = sent.parentCtx.traceId;
      const body = await waitFor(async () => {
        const r = await augur.api(`/api/v1/traces/${traceId}`);
        return r.status === 200 && r.json?.spans?.length >= 2 ? r.json : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `trace ${traceId}` });
      assert.equal(body.trace_id, traceId);
      assert.equal(body.spans.length, 2, JSON.stringify(body));
      const parent = body.spans.find((s) => s.span_id === sent.parentCtx.spanId);
      const child = body.spans.find((s) => s.span_id === sent.childCtx.spanId);
      assert.ok(parent && child, `both spans in ${JSON.stringify(body)}`);

      checkSpan(parent, sdkSpan('GET /items'), sent.remoteParent.spanId);
      assert.equal(parent.kind, 'SERVER');
      assert.equal(parent.status.code, 'OK');
      assert.equal(parent.status.message ?? '', '');
      assert.deepEqual(parent.links, []);

      checkSpan(child, sdkSpan('SELECT items'), sent.parentCtx.spanId);
      assert.equal(child.kind, 'CLIENT');
      assert.deepEqual(child.status, { code: 'ERROR', message: 'db timeout after 250 ms' });
      assert.equal(child.links.length, 1);
      const { trace_id, span_id, trace_state, attributes } = child.links[0];
      assert.deepEqual({ trace_id, span_id, trace_state, attributes }, {
        trace_id: sent.link.context.traceId,
        span_id: sent.link.context.spanId,
        trace_state: 'lk=1',
        attributes: sent.link.attributes,
      });
      // Oldest first: the parent starts first.
      assert.deepEqual(body.spans.map((s) => s.name), ['GET /items', 'SELECT items']);
    });

    it('keeps the span flags (sampled; OTLP is_remote bits)', async () => {
      const spans = (await augur.apiJson(`/api/v1/traces/${sent.parentCtx.traceId}`)).spans;
      const parent = spans.find((s) => s.span_id === sent.parentCtx.spanId);
      const child = spans.find((s) => s.span_id === sent.childCtx.spanId);
      assert.equal(parent.flags & 0xff, 1, 'W3C sampled flag');
      assert.equal(child.flags & 0xff, 1, 'W3C sampled flag');
      // The SDK sends 0x100 (has is_remote) | 0x200 (parent is remote) | sampled.
      assert.equal(parent.flags, 0x301, `parent flags ${parent.flags}`);
      assert.equal(child.flags, 0x101, `child flags ${child.flags}`);
    });

    it('lists and filters spans by service, time range (ns and RFC 3339) and limit', async () => {
      const q = `/api/v1/spans?service=${encodeURIComponent(service)}`;
      const all = await waitFor(async () => {
        const j = await augur.apiJson(q);
        return j.spans.length >= 2 ? j : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `spans of ${service}` });
      assert.deepEqual(all.spans.map((s) => s.name), ['GET /items', 'SELECT items']);
      const parentStart = hrToNs(sdkSpan('GET /items').startTime);
      const childStart = hrToNs(sdkSpan('SELECT items').startTime);

      let j = await augur.apiJson(`${q}&from=${parentStart + 1n}`);
      assert.deepEqual(j.spans.map((s) => s.name), ['SELECT items'], 'from (ns) one ns after the parent start');
      j = await augur.apiJson(`${q}&to=${parentStart}`);
      assert.deepEqual(j.spans.map((s) => s.name), ['GET /items'], 'to (ns) is inclusive');
      j = await augur.apiJson(`${q}&from=${encodeURIComponent(nsToRfc3339(childStart))}`);
      assert.deepEqual(j.spans.map((s) => s.name), ['SELECT items'], 'from as RFC 3339 with ns');
      j = await augur.apiJson(`${q}&limit=1`);
      assert.deepEqual(j.spans.map((s) => s.name), ['GET /items'], 'limit keeps the oldest');
      j = await augur.apiJson(`/api/v1/spans?service=${encodeURIComponent(`${service}-nope`)}`);
      assert.deepEqual(j.spans, []);
    });

    it('answers 404 for a trace it does not have', async () => {
      const r = await augur.api(`/api/v1/traces/${randHex(32)}`);
      assert.equal(r.status, 404, r.text);
      assert.equal(typeof r.json?.error, 'string', `error body: ${r.text}`);
    });

    it('stores the log records with severity, body, attributes, trace context and times', async () => {
      const q = `/api/v1/logs?service=${encodeURIComponent(service)}`;
      const j = await waitFor(async () => {
        const r = await augur.apiJson(q);
        return r.logs.length >= 2 ? r : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `logs of ${service}` });
      assert.equal(j.logs.length, 2, JSON.stringify(j));
      const [errLog, infoLog] = j.logs; // oldest first
      // Exports finish in any order: find the SDK's records by severity.
      const sdkErr = sdkLog(SeverityNumber.ERROR);
      const sdkInfo = sdkLog(SeverityNumber.INFO);

      assert.equal(ns(errLog.time), hrToNs(sdkErr.hrTime));
      assert.equal(ns(errLog.observed_time), hrToNs(sdkErr.hrTimeObserved));
      assert.equal(errLog.service, service);
      assert.equal(errLog.severity_number, 17);
      assert.equal(errLog.severity_text, 'ERROR');
      assert.equal(errLog.severity, 'ERROR');
      assert.equal(errLog.body, 'timeout talking to table');
      assert.deepEqual(errLog.attributes, plain(sdkErr.attributes));
      assert.equal(errLog.trace_id, sent.childCtx.traceId);
      assert.equal(errLog.span_id, sent.childCtx.spanId);
      assert.equal(errLog.flags, 1);
      assert.equal(errLog.event_name, '');
      assert.deepEqual(errLog.scope, { name: 'augur-it-logger', version: '2.0.1' });
      assert.deepEqual(errLog.resource, resourceAttrs);

      assert.equal(ns(infoLog.time), hrToNs(sdkInfo.hrTime));
      assert.equal(ns(infoLog.observed_time), hrToNs(sdkInfo.hrTimeObserved));
      assert.equal(infoLog.severity_number, 9);
      assert.equal(infoLog.severity_text, 'INFO');
      assert.equal(infoLog.severity, 'INFO');
      assert.deepEqual(infoLog.body, { message: 'structured', count: 7, nested: { ok: true, list: [1, 'two'] } });
      assert.deepEqual(infoLog.attributes, { 'it.kind': 'structured' });
      assert.equal(infoLog.trace_id, '');
      assert.equal(infoLog.span_id, '');
      assert.equal(infoLog.event_name, 'it.structured');
    });

    it('filters logs by minimum severity (name and number) and time', async () => {
      const q = `/api/v1/logs?service=${encodeURIComponent(service)}`;
      const bodies = async (extra) => (await augur.apiJson(q + extra)).logs.map((l) => l.severity_number);
      assert.deepEqual(await bodies('&severity=error'), [17]);
      assert.deepEqual(await bodies('&severity=warn'), [17]);
      assert.deepEqual(await bodies('&severity=info'), [17, 9]);
      assert.deepEqual(await bodies('&severity=17'), [17]);
      assert.deepEqual(await bodies('&severity=18'), []);
      assert.deepEqual(await bodies('&severity=9'), [17, 9]);
      const errTime = hrToNs(sdkLog(SeverityNumber.ERROR).hrTime);
      assert.deepEqual(await bodies(`&from=${errTime + 1n}`), [9]);
      assert.deepEqual(await bodies(`&to=${errTime}`), [17]);
    });

    it('stores the metric points with the right type, temporality, times and values', async () => {
      // Everything the SDK exported, per metric name.
      const expected = new Map();
      for (const rm of sent.metrics) {
        for (const sm of rm.scopeMetrics) {
          assert.deepEqual({ name: sm.scope.name, version: sm.scope.version }, { name: 'augur-it-meter', version: '3.0.0' });
          for (const m of sm.metrics) {
            if (!expected.has(m.descriptor.name)) expected.set(m.descriptor.name, []);
            for (const dp of m.dataPoints) expected.get(m.descriptor.name).push({ m, dp });
          }
        }
      }
      assert.deepEqual([...expected.keys()].sort(),
        ['it.inflight', 'it.latency', 'it.latency.exp', 'it.requests', 'it.temperature']);

      const fetchPoints = async (name, want) => waitFor(async () => {
        const j = await augur.apiJson(`/api/v1/metrics?name=${encodeURIComponent(name)}&service=${encodeURIComponent(service)}`);
        return j.points.length >= want ? j : null;
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `points of ${name} for ${service}` });

      const got = {};
      for (const [name, exp] of expected) {
        const j = await fetchPoints(name, exp.length);
        assert.equal(j.name, name);
        assert.equal(j.points.length, exp.length, `${name}: ${exp.length} points exported, got ${JSON.stringify(j.points)}`);
        got[name] = j.points;
        // Oldest first.
        const times = j.points.map((pt) => ns(pt.time));
        assert.deepEqual([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), times, `${name} ordered by time`);
        for (const { m, dp } of exp) {
          const key = canonical(dp.attributes);
          const match = j.points.find((pt) => canonical(pt.attributes) === key && ns(pt.time) === hrToNs(dp.endTime));
          assert.ok(match, `${name}: no stored point for ${key} at ${hrToNs(dp.endTime)} in ${JSON.stringify(j.points)}`);
          assert.equal(match.service, service);
          assert.equal(match.name, name);
          assert.equal(match.description, m.descriptor.description);
          assert.equal(match.unit, m.descriptor.unit);
          assert.equal(match.type, POINT_TYPE[m.dataPointType], `${name} type`);
          assert.equal(ns(match.start_time), hrToNs(dp.startTime), `${name} start_time`);
          assert.deepEqual(match.scope, { name: 'augur-it-meter', version: '3.0.0' });
          assert.deepEqual(match.resource, resourceAttrs);
          if (m.dataPointType === DataPointType.SUM) {
            assert.equal(match.temporality, TEMPORALITY[m.aggregationTemporality], `${name} temporality`);
            assert.equal(match.monotonic, m.isMonotonic, `${name} monotonic`);
            assert.equal(match.value, dp.value);
          } else if (m.dataPointType === DataPointType.GAUGE) {
            assert.equal(match.value, dp.value);
          } else if (m.dataPointType === DataPointType.HISTOGRAM) {
            assert.equal(match.temporality, TEMPORALITY[m.aggregationTemporality], `${name} temporality`);
            assert.deepEqual(match.histogram, {
              count: dp.value.count, sum: dp.value.sum, min: dp.value.min, max: dp.value.max,
              explicit_bounds: dp.value.buckets.boundaries, bucket_counts: dp.value.buckets.counts,
            });
          } else if (m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
            assert.equal(match.temporality, TEMPORALITY[m.aggregationTemporality], `${name} temporality`);
            const e = match.exponential_histogram;
            assert.ok(e, `${name}: exponential_histogram in ${JSON.stringify(match)}`);
            assert.equal(e.count, dp.value.count);
            assert.equal(e.sum, dp.value.sum);
            assert.equal(e.min, dp.value.min);
            assert.equal(e.max, dp.value.max);
            assert.equal(e.scale, dp.value.scale);
            assert.equal(e.zero_count, dp.value.zeroCount);
            assert.equal(e.positive.offset, dp.value.positive.offset);
            assert.deepEqual(e.positive.bucket_counts, dp.value.positive.bucketCounts);
          }
        }
      }

      // And the values themselves, independent of the SDK's bookkeeping.
      const cumulative = temporalityPreference === AggregationTemporalityPreference.CUMULATIVE;
      const total = (points, attrs) => {
        const mine = points.filter((pt) => canonical(pt.attributes) === canonical(attrs));
        assert.ok(mine.length > 0, `points with ${JSON.stringify(attrs)}`);
        return mine[0].temporality === 'delta' ? mine.reduce((a, pt) => a + pt.value, 0) : mine.at(-1).value;
      };
      assert.equal(got['it.requests'][0].type, 'sum');
      assert.equal(got['it.requests'][0].monotonic, true);
      assert.equal(got['it.requests'][0].temporality, cumulative ? 'cumulative' : 'delta');
      assert.equal(total(got['it.requests'], { route: '/a' }), 12);
      assert.equal(total(got['it.requests'], { route: '/b' }), 1);
      assert.equal(got['it.inflight'][0].type, 'sum');
      assert.equal(got['it.inflight'][0].monotonic, false);
      assert.equal(got['it.inflight'][0].temporality, 'cumulative'); // up-down counters stay cumulative
      assert.equal(total(got['it.inflight'], { pool: 'main' }), 7);
      assert.equal(got['it.temperature'][0].type, 'gauge');
      assert.equal(got['it.temperature'].at(-1).value, 42.5);
      assert.deepEqual(got['it.temperature'][0].attributes, { sensor: 's1' });
      const h = got['it.latency'][0];
      assert.equal(h.type, 'histogram');
      assert.equal(h.temporality, cumulative ? 'cumulative' : 'delta');
      assert.equal(h.histogram.count, 3);
      assert.equal(h.histogram.sum, 130);
      assert.equal(h.histogram.min, 3);
      assert.equal(h.histogram.max, 120);
      assert.equal(h.histogram.bucket_counts.length, h.histogram.explicit_bounds.length + 1);
      assert.equal(h.histogram.bucket_counts.reduce((a, b) => a + b, 0), 3);
      const eh = got['it.latency.exp'][0];
      assert.equal(eh.type, 'exponential_histogram');
      assert.equal(eh.exponential_histogram.count, 4);
      assert.equal(eh.exponential_histogram.sum, 130.5);
    });

    it('lists the service with its resource attributes', async () => {
      const j = await waitFor(async () => {
        const r = await augur.apiJson('/api/v1/services');
        return r.services.find((s) => s.name === service);
      }, { timeoutMs: VISIBLE_TIMEOUT_MS, what: `service ${service} in /api/v1/services` });
      assert.equal(j.resources.length, 1, JSON.stringify(j));
      assert.deepEqual(j.resources[0].attributes, resourceAttrs);
      const parentStart = hrToNs(sdkSpan('GET /items').startTime);
      const parentEnd = hrToNs(sdkSpan('GET /items').endTime);
      for (const x of [j, j.resources[0]]) {
        const first = ns(x.first_seen);
        const last = ns(x.last_seen);
        assert.ok(first >= parentStart && first <= parentEnd,
          `first_seen ${x.first_seen} is the earliest event time, in [${nsToRfc3339(parentStart)}, ${nsToRfc3339(parentEnd)}]`);
        assert.ok(last >= first, `last_seen ${x.last_seen} >= first_seen ${x.first_seen}`);
        assert.ok(last <= BigInt(Date.now() + 60_000) * 1_000_000n, `last_seen ${x.last_seen} not in the future`);
      }
    });
  });
}

describe('query API errors', () => {
  it('answers GET /api/v1/metrics without a name with 400 and {"error": ...}', async () => {
    const r = await augur.api('/api/v1/metrics');
    assert.equal(r.status, 400, r.text);
    assert.equal(typeof r.json?.error, 'string', r.text);
    assert.ok(r.json.error.length > 0);
  });

  it('answers a malformed time parameter with 400 and {"error": ...}', async () => {
    const r = await augur.api('/api/v1/spans?from=yesterday-ish');
    assert.equal(r.status, 400, r.text);
    assert.equal(typeof r.json?.error, 'string', r.text);
  });

  it('answers an unknown API path with 404', async () => {
    const r = await augur.api('/api/v1/nothing-here');
    assert.equal(r.status, 404, r.text);
  });
});

describe('self-monitoring', () => {
  it('logs its listeners and "augur ready" on stderr, in the spdlog format', () => {
    const lines = augur.readyLines.stderr;
    for (const k of ['otlp_grpc', 'otlp_http', 'api']) {
      assert.ok(lines.some((l) => new RegExp(`^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\] (\\[[^\\]]*\\] )?\\[info\\] ${k} listening on 127\\.0\\.0\\.1:\\d+$`).test(l)),
        `"${k} listening on" on stderr; stderr had ${JSON.stringify(lines)}, stdout had ${JSON.stringify(augur.readyLines.stdout)}`);
    }
    assert.equal(augur.readyStream, 'stderr', '"augur ready" is logged on stderr');
  });

  it('GET /metrics counts the received items per signal', async () => {
    const r = await augur.api('/metrics');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    const samples = parsePrometheus(r.text);
    for (const signal of ['traces', 'metrics', 'logs']) {
      const received = samples.filter((s) => /received/.test(s.name) && s.labels.signal === signal);
      assert.ok(received.length > 0, `a received counter for ${signal} in:\n${r.text.slice(0, 3000)}`);
      const sum = received.reduce((a, s) => a + s.value, 0);
      assert.ok(sum > 0, `received ${signal} > 0: ${JSON.stringify(received)}`);
    }
  });

  it('lists all three services', async () => {
    const j = await augur.apiJson('/api/v1/services');
    for (const t of TRANSPORTS) {
      assert.ok(j.services.some((s) => s.name === `it-sdk-${t}-${SUFFIX}`), `service of ${t} in ${JSON.stringify(j.services.map((s) => s.name))}`);
    }
  });
});
