// Notifications end to end (docs/notifications.md): a real augur with a
// webhook sink and a Slack sink, both pointing at a real local HTTP
// receiver (node:http on port 0), and real telemetry that makes augur raise
// an insight.
//
// The telemetry: OTLP/JSON SERVER spans of a `writer` service with
// historical timestamps (the analysis runs on event time): 30 minutes of
// baseline at 5 requests/s and 30-50 ms, a deployment (posted as a change
// event) after which each request takes 150-500 ms longer for 10 minutes,
// then a rollback and 15 minutes at the old speed.
//
//  1. The receiver accepts everything: the insight's NEW_INSIGHT arrives at
//     both sinks; the webhook's JSON and Slack's text + blocks are checked,
//     and the message id in the body and the Idempotency-Key header.
//  2. The receiver answers 503: the rollback closes the insight, and its
//     CLOSED_INSIGHT is retried (the same id each time, with backoff).
//  3. augur is killed (kill -9) and restarted on the same data directory
//     while the receiver still fails; once it accepts again, every message
//     it had refused arrives, with the id it had before; NEW_INSIGHT is not
//     sent again; /metrics counts the failures and deliveries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeTempDir, parsePrometheus, removeDir, startAugur, waitFor } from './lib/augur.js';

const MINUTE_MS = 60_000;
const RATE_PER_SECOND = 5;
const PUBLIC_URL = 'https://augur.example.com';
const INSIGHT_TIMEOUT_MS = 150_000;

// A small deterministic PRNG (mulberry32), so every run sends the same spans.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand, bytes) => Array.from({ length: bytes }, () => Math.floor(rand() * 256).toString(16).padStart(2, '0')).join('');
const nsOf = (ms) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const rfc3339 = (ms) => new Date(ms).toISOString();

// The receiver: records every request; answers 200, or 503 while failing.
class Receiver {
  constructor() {
    this.requests = [];
    this.failing = false;
  }

  async start() {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const status = this.failing ? 503 : 200;
        this.requests.push({ path: req.url, method: req.method, headers: req.headers, body, json, status, at: Date.now() });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'busy');
      });
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  url(p) {
    return `http://127.0.0.1:${this.port}${p}`;
  }

  on(p) {
    return this.requests.filter((r) => r.path === p);
  }

  accepted(p) {
    return this.on(p).filter((r) => r.status === 200);
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

// OTLP/JSON export requests of one minute of `writer` SERVER spans each.
function* spanRequests({ fromMs, toMs, version, extraMs, rand }) {
  for (let minute = fromMs; minute < toMs; minute += MINUTE_MS) {
    const spans = [];
    for (let t = minute; t < Math.min(minute + MINUTE_MS, toMs); t += 1000 / RATE_PER_SECOND) {
      const start = t + rand() * 50;
      const duration = 30 + rand() * 20 + extraMs(rand);
      spans.push({
        traceId: hex(rand, 16),
        spanId: hex(rand, 8),
        name: 'POST /items',
        kind: 2,
        startTimeUnixNano: nsOf(start),
        endTimeUnixNano: nsOf(start + duration),
        attributes: [
          { key: 'http.request.method', value: { stringValue: 'POST' } },
          { key: 'http.route', value: { stringValue: '/items' } },
          { key: 'http.response.status_code', value: { intValue: '201' } },
        ],
        status: {},
      });
    }
    yield {
      resourceSpans: [{
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'writer' } },
            { key: 'service.version', value: { stringValue: version } },
          ],
        },
        scopeSpans: [{ scope: { name: 'notify.test' }, spans }],
      }],
    };
  }
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`POST ${url} -> ${res.status} ${text.slice(0, 500)}`);
  return text;
}

async function sendSpans(augur, options) {
  for (const request of spanRequests(options)) await post(`${augur.otlpHttpUrl}/v1/traces`, request);
}

async function postDeployment(augur, { version, previous, timeMs }) {
  await post(`${augur.apiUrl}/api/v1/events`, {
    type: 'DEPLOYMENT', service: 'writer', version, previous_version: previous, time: rfc3339(timeMs),
    description: `writer ${previous} -> ${version}`,
  });
}

function writeConfig(dir, receiver) {
  const file = path.join(dir, 'augur.yaml');
  fs.writeFileSync(file, [
    `public_url: ${PUBLIC_URL}`,
    'notifications:',
    '  max_backoff: 2s',
    '  timeout: 5s',
    '  sinks:',
    '    - name: ops-webhook',
    '      type: webhook',
    `      url: ${receiver.url('/hook')}`,
    '      headers: {Authorization: "Bearer hook-secret"}',
    '    - name: chat',
    '      type: slack',
    `      url: ${receiver.url('/slack')}`,
    '',
  ].join('\n'));
  return file;
}

// Why no notification came: no insight at all (the analysis), or an insight
// but no message (the notifier, e.g. not wired into `augur serve`).
async function explainSilence(augur, receiver) {
  const r = await augur.api('/api/v1/insights');
  const insights = r.json?.insights ?? [];
  const requests = receiver.requests.map((q) => `${q.path} ${q.status} ${q.json?.type ?? q.body.slice(0, 80)}`);
  if (insights.length === 0) {
    return `augur raised no insight from the injected latency (GET /api/v1/insights -> ${r.status} ${r.text.slice(0, 300)}); ` +
      `the receiver got ${JSON.stringify(requests)}`;
  }
  return `augur stored ${insights.length} insight(s) (${insights.map((i) => `${i.id} ${i.status}`).join(', ')}) ` +
    `but the receiver got ${JSON.stringify(requests)}: is the notifier wired into \`augur serve\` ` +
    '(notify::Notifier, OnInsights from the analysis stage)?';
}

async function metricsOf(augur) {
  const r = await augur.api('/metrics');
  assert.equal(r.status, 200);
  return parsePrometheus(r.text);
}

const metric = (samples, name, labels = {}) => samples
  .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  .reduce((sum, s) => sum + s.value, 0);

test('notifications: webhook and Slack payloads, retries, and a restart that loses nothing', { timeout: 480_000 }, async (t) => {
  const receiver = new Receiver();
  await receiver.start();
  const dataDir = makeTempDir('augur-it-notify-');
  const configDir = makeTempDir('augur-it-notify-config-');
  const config = writeConfig(configDir, receiver);
  let augur = await startAugur({ dataDir, args: ['--config', config] });
  t.after(async () => {
    await augur.stop();
    await receiver.close();
    removeDir(dataDir);
    removeDir(configDir);
  });

  const now = Date.now();
  const deployAt = now - 30 * MINUTE_MS;
  const rollbackAt = now - 20 * MINUTE_MS;
  const rand = prng(7);

  // --- 1. NEW_INSIGHT at both sinks -----------------------------------------
  await sendSpans(augur, { fromMs: now - 60 * MINUTE_MS, toMs: deployAt, version: '1', extraMs: () => 0, rand });
  await postDeployment(augur, { version: '2', previous: '1', timeMs: deployAt });
  await sendSpans(augur, { fromMs: deployAt, toMs: rollbackAt, version: '2', extraMs: (r) => 150 + r() * 350, rand });

  let newInsight;
  try {
    newInsight = await waitFor(() => receiver.accepted('/hook').find((r) => r.json?.type === 'NEW_INSIGHT'),
      { timeoutMs: INSIGHT_TIMEOUT_MS, intervalMs: 500, what: 'a NEW_INSIGHT at the webhook' });
  } catch (err) {
    throw new Error(`${err.message}\n${await explainSilence(augur, receiver)}\n${augur.describeOutput()}`);
  }
  const hook = newInsight.json;
  const insightId = hook.insight.id;
  await t.test('the webhook gets augur\'s JSON message', async () => {
    assert.equal(newInsight.method, 'POST');
    assert.equal(newInsight.headers['content-type'], 'application/json');
    assert.equal(newInsight.headers.authorization, 'Bearer hook-secret');  // the configured header
    assert.match(hook.id, /^nt-[0-9a-f]{16}$/);
    assert.equal(newInsight.headers['idempotency-key'], hook.id);
    assert.equal(newInsight.headers['x-augur-message-type'], 'NEW_INSIGHT');
    assert.ok(!Number.isNaN(Date.parse(hook.time)), `time ${hook.time}`);
    assert.match(insightId, /^in-[0-9a-f]{16}$/);
    assert.equal(hook.url, `${PUBLIC_URL}/insights/${insightId}`);
    const stored = await augur.apiJson(`/api/v1/insights/${insightId}`);
    for (const key of ['name', 'type', 'start_time', 'detected_time']) {
      assert.deepEqual(hook.insight[key], stored[key], key);
    }
    assert.ok(hook.insight.anomaly_count >= 1, JSON.stringify(hook.insight));
    assert.ok(['LOW', 'MEDIUM', 'HIGH'].includes(hook.insight.severity));
    assert.equal(hook.insight.status, 'ONGOING');
    assert.ok(hook.insight.related_event_ids.length >= 1, JSON.stringify(hook.insight));
    assert.equal(hook.anomaly, undefined);
  });

  await t.test('Slack gets text and blocks for the same message', async () => {
    const slack = await waitFor(() => receiver.accepted('/slack').find((r) => r.headers['idempotency-key'] === hook.id),
      { timeoutMs: 30_000, what: 'the NEW_INSIGHT at the Slack sink' });
    assert.equal(slack.headers.authorization, undefined);  // headers are per sink
    assert.match(slack.json.text, /New insight: /);
    assert.ok(slack.json.text.includes(`${PUBLIC_URL}/insights/${insightId}`), slack.json.text);
    assert.ok(Array.isArray(slack.json.blocks) && slack.json.blocks.length >= 3, slack.body);
    assert.equal(slack.json.blocks[0].type, 'header');
    assert.equal(slack.json.blocks[0].text.type, 'plain_text');
    for (const block of slack.json.blocks) assert.ok(['header', 'section', 'context'].includes(block.type), block.type);
    const text = JSON.stringify(slack.json.blocks);
    assert.ok(text.includes(hook.id) && text.includes(insightId), text);
    assert.ok(text.includes('*Severity:*'), text);
  });

  // --- 2. The receiver fails: retries -----------------------------------------
  receiver.failing = true;
  const failedFrom = receiver.requests.length;
  await postDeployment(augur, { version: '3', previous: '2', timeMs: rollbackAt });
  await sendSpans(augur, { fromMs: rollbackAt, toMs: now - 5 * MINUTE_MS, version: '3', extraMs: () => 0, rand });
  const closedKey = (r) => r.json?.type === 'CLOSED_INSIGHT' && r.json.insight.id === insightId;
  let refusedClose;
  try {
    refusedClose = await waitFor(() => {
      const tries = receiver.on('/hook').filter((r) => r.status === 503 && closedKey(r));
      return tries.length >= 2 ? tries : null;
    }, { timeoutMs: INSIGHT_TIMEOUT_MS, intervalMs: 500, what: 'two refused attempts of CLOSED_INSIGHT' });
  } catch (err) {
    throw new Error(`${err.message}\n${await explainSilence(augur, receiver)}\n${augur.describeOutput()}`);
  }
  await t.test('a refused message is retried with the same id, after a backoff', () => {
    const ids = new Set(refusedClose.map((r) => r.headers['idempotency-key']));
    assert.equal(ids.size, 1, [...ids].join(', '));
    assert.equal([...ids][0], refusedClose[0].json.id);
    const gap = refusedClose[1].at - refusedClose[0].at;
    assert.ok(gap >= 400, `the second attempt came ${gap} ms after the first`);
  });
  const refusedKeys = new Map();  // idempotency key -> path, of everything refused so far
  for (const r of receiver.requests.slice(failedFrom)) refusedKeys.set(`${r.path} ${r.headers['idempotency-key']}`, r);
  const closeId = refusedClose[0].json.id;

  // --- 3. kill -9, restart, recover ---------------------------------------------
  await augur.kill9();
  const beforeRestart = receiver.requests.length;
  augur = await startAugur({ dataDir, args: ['--config', config] });
  // Still failing for a moment after the restart: the queued messages are retried.
  await waitFor(() => receiver.requests.slice(beforeRestart).some((r) => r.status === 503 && closedKey(r)),
    { timeoutMs: 30_000, what: 'a retry of CLOSED_INSIGHT after the restart' });
  receiver.failing = false;

  await t.test('after the restart every refused message arrives, with its id', async () => {
    await waitFor(() => [...refusedKeys.keys()].every((key) =>
      receiver.accepted(key.split(' ')[0]).some((r) => `${r.path} ${r.headers['idempotency-key']}` === key)),
    { timeoutMs: 60_000, what: `every refused message accepted: ${[...refusedKeys.keys()].join(', ')}` });
    const closed = receiver.accepted('/hook').filter(closedKey);
    assert.ok(closed.length >= 1);
    assert.equal(closed[0].json.id, closeId);
    assert.equal(closed[0].json.insight.status, 'CLOSED');
    assert.ok(receiver.accepted('/slack').some((r) => r.headers['idempotency-key'] === closeId && /Insight closed/.test(r.json.text)));
    // NEW_INSIGHT was delivered before the restart and is not sent again.
    for (const p of ['/hook', '/slack']) {
      const news = receiver.on(p).filter((r) => r.headers['x-augur-message-type'] === 'NEW_INSIGHT' &&
        r.body.includes(insightId));
      assert.equal(news.length, 1, `${p}: ${news.length} NEW_INSIGHT requests for ${insightId}`);
    }
  });

  const seen = {};
  for (const r of receiver.requests) {
    const key = `${r.path} ${r.headers['x-augur-message-type']} ${r.status}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  t.diagnostic(`the receiver got: ${JSON.stringify(seen)}`);

  await t.test('/metrics counts deliveries and failures; the outbox drains', async () => {
    const samples = await waitFor(async () => {
      const s = await metricsOf(augur);
      return metric(s, 'augur_notify_outbox_depth') === 0 ? s : null;
    }, { timeoutMs: 30_000, what: 'augur_notify_outbox_depth 0' });
    for (const type of ['webhook', 'slack']) {
      assert.ok(metric(samples, 'augur_notify_messages_delivered_total', { sink_type: type }) >= 1, type);
      assert.ok(metric(samples, 'augur_notify_delivery_failures_total', { sink_type: type }) >= 1, type);
    }
    assert.equal(metric(samples, 'augur_notify_messages_dead_total'), 0);
    const labels = new Set(samples.filter((s) => s.name.startsWith('augur_notify_')).map((s) => s.labels.sink_type ?? ''));
    for (const l of labels) assert.ok(['', 'webhook', 'slack'].includes(l), `label sink_type=${l}`);
  });
});
