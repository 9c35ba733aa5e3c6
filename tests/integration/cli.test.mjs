// The `augur` command line's client commands, end to end, on the console
// test's incident: a real augur (with a bearer token) fed by `augur replay`
// (the article's deployment that adds latency to the writer, with
// historical timestamps and the deployment posted as an event), then the
// real binary's `insights`, `insight`, `anomalies`, `anomaly`, `events`,
// `event deploy` and `feedback` against it, as a user would type them:
// tables for people, `--json` for scripts, filters, and clear errors (an
// unknown id, a wrong token, no augur at all) with a non-zero exit and no
// stack trace.
//
// What the CLI prints is checked against what the API answers (ids, names,
// summaries), never against fixed text of one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { parsePrometheus, runAugur, startAugur, waitFor } from './lib/augur.js';

const TOKEN = 'cli-test-token';
const SCENARIO = {
  name: 'article',
  baseline: process.env.CLI_BASELINE || '40m',
  fault: process.env.CLI_FAULT || '15m',
};
const INSIGHT_TIMEOUT_MS = 90_000;
// The incident is placed so that its second replay (same scenario, same
// seed, right after the first in event time) still ends in the past: augur
// refuses telemetry stamped more than 10 minutes ahead of its clock.
const GAP_MS = 2 * 60_000;
const CLI_TIMEOUT_MS = 30_000;

// Signs that a command crashed or dumped a trace instead of saying what was wrong.
const CRASH_RE = /terminate called|Aborted|Segmentation|core dumped|what\(\)|^\s*#\d+\s+0x|\bat .+\(.+:\d+:\d+\)/m;

// A port nothing listens on: bound, then closed again.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// "40m", "1h", "90s" → milliseconds (the forms the tests use).
function durationMs(text) {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  assert.ok(m, `duration ${text}: use N s, m or h`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2]];
}

async function metric(augur, name) {
  const r = await augur.api('/metrics', { token: TOKEN });
  assert.equal(r.status, 200, r.text);
  return parsePrometheus(r.text).filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

// Runs `augur ARGS...`; answers {code, stdout, stderr, describe}.
async function augurCli(args, { timeoutMs = CLI_TIMEOUT_MS } = {}) {
  return runAugur(args, { timeoutMs });
}

// A command that must succeed: its stdout.
async function ok(args, options) {
  const r = await augurCli(args, options);
  assert.equal(r.code, 0, `augur ${args.join(' ')} failed\n${r.describe()}`);
  assert.doesNotMatch(r.stderr, CRASH_RE, r.describe());
  return r.stdout;
}

// A command that must succeed with --json: its parsed stdout.
async function okJson(args) {
  const out = await ok([...args, '--json']);
  try {
    return JSON.parse(out);
  } catch (err) {
    assert.fail(`augur ${args.join(' ')} --json printed no JSON (${err.message}):\n${out.slice(0, 2000)}`);
  }
}

// A command that must fail cleanly: non-zero exit (no signal), a message on
// stderr matching `message`, nothing on stdout, no crash.
async function fails(args, message) {
  const r = await augurCli(args);
  assert.equal(r.signal, null, `augur ${args.join(' ')} was killed\n${r.describe()}`);
  assert.notEqual(r.code, 0, `augur ${args.join(' ')} succeeded\n${r.describe()}`);
  assert.match(r.stderr, message, r.describe());
  assert.doesNotMatch(r.stderr, CRASH_RE, r.describe());
  assert.equal(r.stdout, '', r.describe());
  return r;
}

test('augur not running: a clear error and a non-zero exit', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  for (const args of [['insights'], ['insight', 'in-0000000000000000'], ['anomalies', '--json'], ['events'],
    ['event', 'deploy', '--service', 'writer', '--version', '9'], ['feedback', 'in-0000000000000000', 'USEFUL']]) {
    const r = await fails([...args, '--api-url', url], new RegExp(`cannot reach augur at ${url}`));
    assert.equal(r.code, 1, r.describe());
  }
  // A URL that is not one is said to be wrong, before any connection.
  await fails(['insights', '--api-url', 'http://127.0.0.1:1/api/v1'], /API URL must look like http:\/\/HOST:PORT/);
});

test('augur CLI against a replayed incident', { timeout: 600_000 }, async (t) => {
  const augur = await startAugur({ args: ['--auth-token', TOKEN] });
  t.after(() => augur.stop());
  const client = ['--api-url', augur.apiUrl, '--auth-token', TOKEN];

  await t.test('a missing token is refused, saying how to give one', async () => {
    await fails(['insights', '--api-url', augur.apiUrl], /HTTP 401.*--auth-token or AUGUR_AUTH_TOKEN/);
  });

  // The feed: the console test's replay, placed two incident lengths ago
  // (whole seconds), so that the same incident fits again after it.
  const totalMs = durationMs(SCENARIO.baseline) + durationMs(SCENARIO.fault);
  const firstStartMs = Math.floor((Date.now() - 2 * totalMs - 2 * GAP_MS) / 1000) * 1000;
  const replayArgs = (startMs) => ['replay', '--scenario', SCENARIO.name, '--baseline', SCENARIO.baseline,
    '--fault', SCENARIO.fault, '--start', new Date(startMs).toISOString(), '--post-events',
    '--otlp-http-url', augur.otlpHttpUrl, ...client];
  const started = Date.now();
  const replay = await ok(replayArgs(firstStartMs), { timeoutMs: 300_000 });
  t.diagnostic(`replayed ${SCENARIO.name} (baseline ${SCENARIO.baseline}, fault ${SCENARIO.fault}) in ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s: ${replay.trim().split('\n').pop()}`);
  assert.match(replay, /posted deployment ev-/);
  assert.match(replay, /^replayed article: \d+ spans, \d+ metric points, \d+ log records/m);

  // The analysis runs behind ingest: poll through the CLI itself.
  let insight;
  try {
    insight = await waitFor(async () => {
      const { insights } = await okJson(['insights', ...client]);
      return insights.find((i) => i.root_cause?.service === 'writer');
    }, { timeoutMs: INSIGHT_TIMEOUT_MS, intervalMs: 1000, what: 'an insight about the writer in `augur insights --json`' });
  } catch (err) {
    const anomalies = await augurCli(['anomalies', ...client]);
    assert.fail(`augur opened no insight about the writer's latency after replaying ${SCENARIO.name}: ` +
      `the CLI test needs one.\n${err.message}\nanomalies:\n${anomalies.stdout.slice(0, 4000)}`);
  }
  const detail = await augur.apiJson(`/api/v1/insights/${insight.id}`, { token: TOKEN });
  t.diagnostic(`insight ${insight.id}: ${insight.severity} ${insight.status} ${insight.name}`);

  await t.test('augur insights: a table with the insight', async () => {
    const out = await ok(['insights', ...client]);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0], /^START\s+STATUS\s+SEVERITY\s+ROOT CAUSE\s+NAME\s+ID$/);
    const row = lines.find((l) => l.includes(insight.id));
    assert.ok(row, `no row for ${insight.id}:\n${out}`);
    assert.ok(row.includes(insight.name), `${row} lacks the title ${insight.name}`);
    assert.match(row, new RegExp(`\\b${insight.severity}\\b`));
    assert.match(row, /\b(ONGOING|CLOSED)\b/);
    assert.match(row, /\bwriter\b/);
  });

  await t.test('augur insights --json: the API\'s list with the root cause', async () => {
    const { insights } = await okJson(['insights', ...client]);
    const mine = insights.find((i) => i.id === insight.id);
    assert.ok(mine, JSON.stringify(insights).slice(0, 2000));
    assert.equal(mine.name, insight.name);
    assert.equal(mine.root_cause.service, 'writer');
    assert.equal(mine.root_cause.kind, detail.root_cause.kind);
    assert.ok(Array.isArray(mine.root_cause.evidence) && mine.root_cause.evidence.length > 0);
  });

  await t.test('augur insight ID: summary, root cause, the deployment and what to do', async () => {
    const out = await ok(['insight', insight.id, ...client]);
    assert.equal(out.split('\n')[0], detail.name);
    assert.ok(out.includes(detail.summary), `the summary is missing:\n${out}`);
    assert.match(out, /^Root cause: writer\b/m);
    for (const e of detail.root_cause.evidence) assert.ok(out.includes(e), `evidence missing: ${e}\n${out}`);
    const deployment = detail.related_events.find((e) => e.type === 'DEPLOYMENT' && e.service === 'writer');
    assert.ok(deployment, `the insight relates no deployment of writer: ${JSON.stringify(detail.related_events)}`);
    assert.match(out, /^Related events:$/m);
    assert.ok(out.includes(`DEPLOYMENT ${deployment.id} of writer`), out);
    assert.match(out, /INJECT_LATENCY: false → true/);
    assert.ok(detail.recommendations.length > 0);
    assert.match(out, /^Recommendations:$/m);
    for (const r of detail.recommendations) assert.ok(out.includes(r.name), `recommendation missing: ${r.name}`);
    assert.match(out, /^Anomalies:$/m);
    for (const a of detail.anomalies) assert.ok(out.includes(a.explanation), `anomaly missing: ${a.explanation}`);
    // --json is the API's answer.
    const json = await okJson(['insight', insight.id, ...client]);
    assert.equal(json.id, insight.id);
    assert.equal(json.summary, detail.summary);
    assert.deepEqual(json.root_cause, detail.root_cause);
  });

  await t.test('--status ONGOING / CLOSED filter the list', async () => {
    const seen = new Set();
    for (const status of ['ONGOING', 'CLOSED', 'closed']) {
      const { insights } = await okJson(['insights', '--status', status, ...client]);
      for (const i of insights) assert.equal(i.status, status.toUpperCase(), `--status ${status}: ${JSON.stringify(i)}`);
      for (const i of insights) seen.add(i.id);
      const table = await ok(['insights', '--status', status, ...client]);
      const rows = table.trimEnd().split('\n').slice(1);
      if (insights.length === 0) assert.equal(table, 'no insights\n');
      for (const row of rows) assert.match(row, new RegExp(`\\b${status.toUpperCase()}\\b`), table);
    }
    // ONGOING → CLOSED is the only change, so the insight is in one of them.
    assert.ok(seen.has(insight.id), `${insight.id} in neither --status list`);
    await fails(['insights', '--status', 'MAYBE', ...client], /HTTP 400/);
  });

  await t.test('--order attention lists the insights in the API\'s order of attention', async () => {
    // The value goes to the API as it is: one it refuses is its 400.
    await fails(['insights', '--order', 'severity', ...client], /HTTP 400/);
    const ids = (list) => list.map((i) => i.id);
    // Insights may be added meanwhile: compare answers taken close together.
    await waitFor(async () => {
      const { insights } = await okJson(['insights', '--order', 'attention', ...client]);
      const table = await ok(['insights', '--order', 'attention', ...client]);
      const api = await augur.apiJson('/api/v1/insights?order=attention', { token: TOKEN });
      const tableIds = table.trimEnd().split('\n').slice(1).map((row) => row.trim().split(/\s+/).pop());
      assert.deepEqual(ids(insights), ids(api.insights));
      assert.deepEqual(tableIds, ids(api.insights));
      assert.ok(ids(insights).includes(insight.id));
      const { insights: newest } = await okJson(['insights', '--order', 'newest', ...client]);
      const byDefault = await augur.apiJson('/api/v1/insights', { token: TOKEN });
      assert.deepEqual(ids(newest), ids(byDefault.insights));
      return true;
    }, { timeoutMs: 20_000, intervalMs: 500, what: '`augur insights --order` to match the API' });
  });

  await t.test('augur anomalies: the table, --json, filters and one anomaly', async () => {
    // The table first: anomalies are only ever added meanwhile (augur's
    // watermark follows the wall clock once the replay is over).
    const table = await ok(['anomalies', '--service', 'writer', ...client]);
    const { anomalies } = await okJson(['anomalies', '--service', 'writer', ...client]);
    assert.ok(anomalies.length > 0);
    for (const a of anomalies) assert.equal(a.series.service, 'writer');
    const inInsight = new Set(detail.anomalies.map((a) => a.id));
    const listed = anomalies.find((a) => inInsight.has(a.id));
    assert.ok(listed, `none of the insight's anomalies in \`augur anomalies --service writer\`: ${[...inInsight]}`);
    const lines = table.trimEnd().split('\n');
    assert.match(lines[0], /^ONSET\s+STATUS\s+KIND\s+SERVICE\s+SERIES\s+SCORE\s+ID$/);
    const ids = new Set(anomalies.map((a) => a.id));
    assert.ok(lines.length > 1, table);
    for (const line of lines.slice(1)) assert.ok(ids.has(line.split(/\s+/).pop()), `${line}: not in --json`);
    const row = lines.find((l) => l.includes(listed.id));
    assert.ok(row, table);
    assert.match(row, new RegExp(`\\b${listed.status}\\b.*\\b${listed.kind} ${listed.direction}\\b.*\\bwriter\\b`));
    // --limit and --status go to the API.
    assert.equal((await okJson(['anomalies', '--limit', '1', ...client])).anomalies.length, 1);
    for (const status of ['ongoing', 'closed']) {
      const { anomalies: some } = await okJson(['anomalies', '--status', status, ...client]);
      for (const a of some) assert.equal(a.status, status);
    }
    const one = await ok(['anomaly', listed.id, ...client]);
    assert.ok(one.startsWith(listed.id), one);
    assert.ok(one.includes(listed.explanation), one);
    assert.deepEqual((await okJson(['anomaly', listed.id, ...client])).id, listed.id);
    await fails(['anomaly', 'an-0000000000000000', ...client], /HTTP 404/);
  });

  let deployment;
  await t.test('augur events: the replayed deployment', async () => {
    const { events } = await okJson(['events', ...client]);
    deployment = events.find((e) => e.type === 'DEPLOYMENT' && e.service === 'writer' && e.version === '2');
    assert.ok(deployment, JSON.stringify(events));
    assert.deepEqual(deployment.changes, [{ key: 'INJECT_LATENCY', old: 'false', new: 'true' }]);
    const table = await ok(['events', ...client]);
    assert.match(table.split('\n')[0], /^TIME\s+TYPE\s+SERVICE\s+VERSION\s+SOURCE\s+CHANGES\s+ID$/);
    const row = table.split('\n').find((l) => l.includes(deployment.id));
    assert.ok(row, table);
    assert.match(row, /DEPLOYMENT\s+writer\s+2\s+.*INJECT_LATENCY=true/);
  });

  await t.test('augur event deploy records a deployment; old values come from augur', async () => {
    const out = await ok(['event', 'deploy', '--service', 'writer', '--version', '3',
      '--set', 'INJECT_LATENCY=false', '--set', 'CLI_TEST_KEY=on', '--description', 'roll back the sleep', ...client]);
    const id = /^DEPLOYMENT (ev-[0-9a-f]+) of writer/.exec(out)?.[1];
    assert.ok(id, out);
    assert.match(out, /version 3/);
    assert.match(out, /INJECT_LATENCY: true → false/);  // the old value: the replayed deployment's new one
    assert.match(out, /CLI_TEST_KEY: \(unknown\) → on/);
    const { events } = await okJson(['events', '--service', 'writer', ...client]);
    const mine = events.find((e) => e.id === id);
    assert.ok(mine, JSON.stringify(events));
    assert.equal(mine.type, 'DEPLOYMENT');
    assert.equal(mine.version, '3');
    assert.equal(mine.source, 'cli');
    assert.equal(mine.description, 'roll back the sleep');
    const byKey = Object.fromEntries(mine.changes.map((c) => [c.key, c]));
    assert.deepEqual(byKey.INJECT_LATENCY, { key: 'INJECT_LATENCY', old: 'true', new: 'false' });
    assert.equal(byKey.CLI_TEST_KEY.new, 'on');
    assert.equal(byKey.CLI_TEST_KEY.old, '');  // not known: augur has no earlier value of the key
    assert.ok(Date.parse(mine.time) > Date.parse(deployment.time));
    const table = await ok(['events', '--service', 'writer', ...client]);
    assert.match(table.split('\n').find((l) => l.includes(id)) ?? '', /DEPLOYMENT\s+writer\s+3\s+cli\s+.*INJECT_LATENCY=false/);
    // A --set without "=" is refused before anything is sent.
    await fails(['event', 'deploy', '--service', 'writer', '--set', 'NOVALUE', ...client], /--set takes KEY=NEW/);
  });

  await t.test('augur feedback ID USEFUL is stored and shown', async () => {
    const out = await ok(['feedback', insight.id, 'USEFUL', ...client]);
    assert.match(out, /^Feedback: USEFUL$/m);
    assert.equal((await okJson(['insight', insight.id, ...client])).feedback, 'USEFUL');
    assert.match(await ok(['insight', insight.id, ...client]), /^Feedback: USEFUL$/m);
    const history = await augur.apiJson(`/api/v1/insights/${insight.id}/feedback`, { token: TOKEN });
    assert.deepEqual(history.feedback.map((f) => f.feedback), ['USEFUL']);
    await fails(['feedback', insight.id, 'MAYBE', ...client], /HTTP 400/);
    assert.equal((await okJson(['insight', insight.id, ...client])).feedback, 'USEFUL');
  });

  await t.test('an unknown insight id: a clear message and a non-zero exit', async () => {
    const r = await fails(['insight', 'in-0000000000000000', ...client], /HTTP 404/);
    assert.match(r.stderr, /in-0000000000000000/);
    assert.equal(r.code, 1);
    await fails(['feedback', 'in-0000000000000000', 'USEFUL', ...client], /HTTP 404/);
  });

  // Issue 7: TOO_SENSITIVE lowers the sensitivity of the insight's series,
  // seen on the next replay of the same data. How much is shown by
  // src/engine/feedback_test.cc (same data, with and without the feedback);
  // here: the feedback goes through the CLI, and replaying the same incident
  // again is analysed only when it comes after the first in event time.
  await t.test('TOO_SENSITIVE, then the same incident replayed again', async () => {
    const out = await ok(['feedback', insight.id, 'TOO_SENSITIVE', ...client]);
    assert.match(out, /^Feedback: TOO_SENSITIVE$/m);
    const history = await augur.apiJson(`/api/v1/insights/${insight.id}/feedback`, { token: TOKEN });
    assert.deepEqual(history.feedback.map((f) => f.feedback), ['USEFUL', 'TOO_SENSITIVE']);

    // The same scenario and seed, starting after the first replay ended:
    // the same data, an incident length later, analysed like the first.
    const lateBefore = await metric(augur, 'augur_analysis_late_items_total');
    const secondStartMs = firstStartMs + totalMs + GAP_MS;
    const second = await ok(replayArgs(secondStartMs), { timeoutMs: 300_000 });
    const spans = Number(/: (\d+) spans/.exec(second)?.[1]);
    assert.ok(spans > 0, second);
    const again = await waitFor(async () => {
      const { insights } = await okJson(['insights', '--from', new Date(secondStartMs).toISOString(), ...client]);
      return insights.find((i) => i.id !== insight.id && i.root_cause?.service === 'writer' &&
        Date.parse(i.start_time) >= secondStartMs);
    }, { timeoutMs: INSIGHT_TIMEOUT_MS, intervalMs: 1000, what: 'an insight about the writer in the second replay' });
    const lateAfterSecond = await metric(augur, 'augur_analysis_late_items_total');
    t.diagnostic(`second replay, after TOO_SENSITIVE: ${again.id} ${again.severity} ${again.name}; ` +
      `late spans ${lateAfterSecond - lateBefore} of ${spans}`);
    assert.ok(lateAfterSecond - lateBefore < spans / 100, `${lateAfterSecond - lateBefore} of ${spans} spans late`);
    const { events } = await okJson(['events', '--service', 'writer', ...client]);
    const againDetail = await okJson(['insight', again.id, ...client]);
    t.diagnostic(`its related events: ${againDetail.related_events.map((e) => `${e.id} v${e.version}`).join(', ') || 'none'}; ` +
      `start ${againDetail.start_time}`);
    t.diagnostic(`writer's events after two replays: ${events.map((e) => `${e.time} v${e.version} ${e.id} [${e.sources}]`).join('; ')}`);

    // What `augur replay` does by default: the incident ends at the wall
    // clock's now. Replayed again that way it overlaps what augur has
    // already analysed, so the analysis counts its spans late and skips
    // them (they are still stored).
    const overlap = await ok(['replay', '--scenario', SCENARIO.name, '--baseline', SCENARIO.baseline,
      '--fault', SCENARIO.fault, '--otlp-http-url', augur.otlpHttpUrl, ...client], { timeoutMs: 300_000 });
    const overlapSpans = Number(/: (\d+) spans/.exec(overlap)?.[1]);
    const lateAfterOverlap = await waitFor(async () => {
      const late = await metric(augur, 'augur_analysis_late_items_total');
      return late - lateAfterSecond > overlapSpans / 2 ? late : 0;
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'the overlapping replay counted late' });
    t.diagnostic(`default replay over the same event times: ${lateAfterOverlap - lateAfterSecond} of ` +
      `${overlapSpans} spans late`);
  });

  await t.test('AUGUR_API_URL and AUGUR_AUTH_TOKEN stand in for the flags', async () => {
    const saved = { url: process.env.AUGUR_API_URL, token: process.env.AUGUR_AUTH_TOKEN };
    process.env.AUGUR_API_URL = augur.apiUrl;
    process.env.AUGUR_AUTH_TOKEN = TOKEN;
    try {
      const { insights } = await okJson(['insights']);
      assert.ok(insights.some((i) => i.id === insight.id));
    } finally {
      for (const [k, v] of [['AUGUR_API_URL', saved.url], ['AUGUR_AUTH_TOKEN', saved.token]]) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
