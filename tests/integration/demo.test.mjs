// The article's experiment, live (demo/, `make demo`), with shortened
// timings: a real augur, the demo app (redis-server, writer, reader, API
// gateway, each its own process instrumented with the OpenTelemetry JS SDK)
// and hey, all on loopback. demo/run.sh runs the experiment against this
// test's augur: a baseline, a deployment of INJECT_LATENCY=true to the
// writer, bad traffic while it watches augur, and the rollback. Then the
// test reads augur's API: the deployment events, the three services with
// their resources, the telemetry of each signal, the injected latency, and
// an insight (or, before insights exist, an anomaly) on the writer raised
// within FAULT_SECONDS of the deployment.
//
// Needs redis-server and hey (Debian packages; scripts/install-deps.sh
// installs them), and the npm registry for the demo's packages (run.sh runs
// `npm ci` in demo/ when they are missing). Takes about 4 minutes: augur's
// detectors alert only after 30 buckets of 5 s, so the baseline cannot be
// much shorter than 150 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { AUGUR_BIN, REPO_ROOT, startAugur } from './lib/augur.js';

const BASELINE_SECONDS = Number(process.env.DEMO_BASELINE_SECONDS ?? 170);
const FAULT_SECONDS = Number(process.env.DEMO_FAULT_SECONDS ?? 60);
// The script's own time: baseline + fault + start-up, npm ci and rollback.
const RUN_TIMEOUT_MS = (BASELINE_SECONDS + FAULT_SECONDS + 90) * 1000;

const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
const ms = (rfc3339) => Date.parse(rfc3339);

// Runs demo/run.sh in its own process group against `augur`; resolves with
// {code, signal, output} once it exits. On timeout it gets SIGTERM (its trap
// stops what it started), then the group SIGKILL.
function runDemo(augur) {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'demo', 'run.sh')], {
    env: {
      ...process.env,
      AUGUR_BIN,
      AUGUR_API_URL: augur.apiUrl,
      AUGUR_OTLP_ENDPOINT: augur.otlpHttpUrl,
      BASELINE_SECONDS: String(BASELINE_SECONDS),
      FAULT_SECONDS: String(FAULT_SECONDS),
      HOLD_SECONDS: '0',
      RECOVERY_SECONDS: '0',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killGroup = (sig) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // already gone
    }
  };
  process.on('exit', () => killGroup('SIGKILL'));
  let output = '';
  const keep = (d) => {
    output = (output + d).slice(-100_000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let timedOut = false;
  const term = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGTERM');
  }, RUN_TIMEOUT_MS);
  const kill = setTimeout(() => killGroup('SIGKILL'), RUN_TIMEOUT_MS + 30_000);
  return new Promise((resolve) => {
    proc.on('close', (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, signal, timedOut, output });
    });
  });
}

test('demo: the article experiment, live', { timeout: RUN_TIMEOUT_MS + 120_000 }, async (t) => {
  const missing = ['redis-server', 'hey'].filter((name) => !hasCommand(name));
  if (missing.length) {
    t.skip(`needs ${missing.join(' and ')} (Debian packages; scripts/install-deps.sh installs them)`);
    return;
  }
  const augur = await startAugur();
  t.after(() => augur.stop());
  const run = await runDemo(augur);
  const context = () => `demo/run.sh exited with code ${run.code} (signal ${run.signal}` +
    `${run.timedOut ? `, stopped after ${RUN_TIMEOUT_MS} ms` : ''}); its output:\n${run.output.slice(-8000)}\n` +
    `augur is ${augur.running ? 'running' : `gone (${JSON.stringify(augur.exit)})`}; ${augur.describeOutput()}`;

  await t.test('the script runs the experiment through', () => {
    // 0: augur found it; 3: it did not within FAULT_SECONDS (checked below).
    assert.ok(!run.timedOut && (run.code === 0 || run.code === 3), context());
    assert.match(run.output, /deployed writer version 2 \(was 1\)/, context());
    assert.match(run.output, /deployed writer version 3 \(was 2\)/, context());
  });

  let deployment;
  await t.test('the deployment and the rollback are recorded as DEPLOYMENT events', async () => {
    const { events } = await augur.apiJson('/api/v1/events?service=writer');
    const byVersion = (v) => events.find((e) => e.type === 'DEPLOYMENT' && e.version === v &&
      [e.source, ...(e.sources ?? [])].includes('deploy'));
    deployment = byVersion('2');
    assert.ok(deployment, `no DEPLOYMENT of writer version 2 from deploy: ${JSON.stringify(events)}`);
    assert.equal(deployment.service, 'writer');
    assert.equal(deployment.previous_version, '1');
    assert.deepEqual(deployment.changes, [{ key: 'INJECT_LATENCY', old: 'false', new: 'true' }]);
    const rollback = byVersion('3');
    assert.ok(rollback, `no DEPLOYMENT of writer version 3 from deploy: ${JSON.stringify(events)}`);
    assert.deepEqual(rollback.changes, [{ key: 'INJECT_LATENCY', old: 'true', new: 'false' }]);
    assert.ok(ms(rollback.time) > ms(deployment.time));
  });

  await t.test('spans, logs and metrics arrive from all three services, with their resources', async () => {
    const { services } = await augur.apiJson('/api/v1/services');
    const byName = Object.fromEntries(services.map((s) => [s.name, s]));
    for (const name of ['api-gateway', 'writer', 'reader']) {
      assert.ok(byName[name], `no service ${name} in ${JSON.stringify(services.map((s) => s.name))}`);
      for (const r of byName[name].resources) {
        assert.equal(r.attributes['deployment.environment.name'], 'dev');
        assert.equal(r.attributes['augur.collection'], 'demo');
      }
    }
    const writerVersions = new Set(byName.writer.resources.map((r) => r.attributes['service.version']));
    assert.deepEqual([...writerVersions].sort(), ['1', '2', '3']);
    for (const r of byName.writer.resources) {
      assert.equal(r.attributes['faas.name'], 'augur-demo-dev-writer');
      assert.equal(r.attributes['faas.version'], r.attributes['service.version']);
    }

    // One POST is one trace: the gateway's SERVER and CLIENT spans, the
    // writer's SERVER span and its Redis CLIENT spans.
    const { spans } = await augur.apiJson('/api/v1/spans?service=writer&limit=200');
    const server = spans.find((s) => s.kind === 'SERVER' && s.name === 'POST /items');
    assert.ok(server, `no SERVER span "POST /items" on writer: ${JSON.stringify(spans.slice(0, 3))}`);
    assert.equal(server.attributes['http.route'], '/items');
    const trace = (await augur.apiJson(`/api/v1/traces/${server.trace_id}`)).spans;
    const has = (service, kind, pred = () => true) => trace.some((s) => s.service === service && s.kind === kind && pred(s));
    assert.ok(has('api-gateway', 'SERVER'), JSON.stringify(trace));
    assert.ok(has('api-gateway', 'CLIENT'), JSON.stringify(trace));
    assert.ok(has('writer', 'CLIENT', (s) => s.attributes['db.system.name'] === 'redis' || s.attributes['db.system'] === 'redis'),
      JSON.stringify(trace));

    const { logs } = await augur.apiJson('/api/v1/logs?service=writer&limit=50');
    const line = logs.find((l) => /^POST \/items 201 in /.test(String(l.body)));
    assert.ok(line, `no request log line on writer: ${JSON.stringify(logs.slice(0, 3))}`);
    assert.match(line.trace_id, /^[0-9a-f]{32}$/);
    const invocations = await augur.apiJson('/api/v1/metrics?name=faas.invocations&service=writer&limit=10');
    assert.ok(invocations.points.length > 0, 'no faas.invocations points from writer');
  });

  await t.test('the injected latency is real: version 2 of the writer is 150-500 ms slower', async (st) => {
    const { spans } = await augur.apiJson('/api/v1/spans?service=writer&limit=10000');
    const durations = (version) => spans
      .filter((s) => s.kind === 'SERVER' && s.name === 'POST /items' && s.resource['service.version'] === version)
      .map((s) => s.duration_ms)
      .sort((a, b) => a - b);
    const before = durations('1');
    const during = durations('2');
    assert.ok(before.length > 100 && during.length > 20, `${before.length} spans of v1, ${during.length} of v2`);
    const median = (v) => v[Math.floor(v.length / 2)];
    st.diagnostic(`writer POST /items median: ${median(before).toFixed(1)} ms (v1), ${median(during).toFixed(1)} ms (v2)`);
    assert.ok(during[0] >= 150, `the fastest v2 span took ${during[0]} ms`);
    assert.ok(median(before) < 100, `the median v1 span took ${median(before)} ms`);
  });

  // Meaningful only with augur's analysis wired into `augur serve`: they
  // fail on an augur that stores telemetry but does not analyse it.
  const since = () => ms(deployment.time);
  const lagOf = (found) => (ms(found.detected_time) - since()) / 1000;
  await t.test(`augur raises an anomaly on the writer within ${FAULT_SECONDS} s of the deployment`, async (st) => {
    assert.ok(deployment, 'no deployment event to measure from');
    const { anomalies } = await augur.apiJson('/api/v1/anomalies?service=writer');
    const found = anomalies.find((a) => a.series.service === 'writer' && ms(a.detected_time) >= since());
    assert.ok(found, `no anomaly on writer detected after ${deployment.time}\n${context()}`);
    st.diagnostic(`${found.id}: detected ${lagOf(found).toFixed(1)} s (event time) after the deployment: ${found.explanation}`);
    const seen = /\+([0-9.]+) s {2}anomaly \S+ on writer /.exec(run.output);
    if (seen) st.diagnostic(`demo/run.sh saw it ${seen[1]} s (wall clock) after the deployment`);
    assert.ok(lagOf(found) <= FAULT_SECONDS, `detected ${lagOf(found)} s after the deployment`);
  });

  await t.test(`augur opens an insight on the writer within ${FAULT_SECONDS} s of the deployment`, async (st) => {
    assert.ok(deployment, 'no deployment event to measure from');
    const r = await augur.api('/api/v1/insights');
    if (r.status === 404) {
      st.skip('this augur has no insights API yet');
      return;
    }
    assert.equal(r.status, 200, r.text);
    // The insight may be a few seconds older than the deployment: an
    // anomaly on something the writer shares (its table, called by the
    // reader too) can open it, and the writer's anomaly then joins it. What
    // counts is when it came to be about the writer: when it, or the first
    // anomaly on the writer in it, was detected after the deployment.
    let found = null;
    let whenFound = null;
    for (const i of r.json.insights) {
      if (i.root_cause?.service !== 'writer' && !(i.related_event_ids ?? []).includes(deployment.id)) continue;
      if (ms(i.detected_time) >= since()) {
        found = i;
        whenFound = i;
        break;
      }
      const detail = await augur.apiJson(`/api/v1/insights/${i.id}`);
      const onWriter = (detail.anomalies ?? []).filter((a) => a.series.service === 'writer' && ms(a.detected_time) >= since());
      if (onWriter.length > 0) {
        found = i;
        whenFound = onWriter.reduce((a, b) => (ms(a.detected_time) <= ms(b.detected_time) ? a : b));
        st.diagnostic(`${i.id} was opened ${((since() - ms(i.detected_time)) / 1000).toFixed(1)} s before the deployment ` +
          `and took the writer's anomaly ${whenFound.id}`);
        break;
      }
    }
    assert.ok(found, `no insight on writer detected after ${deployment.time}: ${JSON.stringify(r.json.insights)}\n${context()}`);
    st.diagnostic(`${found.id}: about the writer ${lagOf(whenFound).toFixed(1)} s (event time) after the deployment: ${found.name}`);
    const seen = /insight \S+ on writer appeared ([0-9.]+) s after the deployment/.exec(run.output);
    if (seen) st.diagnostic(`demo/run.sh saw it ${seen[1]} s (wall clock) after the deployment`);
    assert.ok(lagOf(whenFound) <= FAULT_SECONDS, `detected ${lagOf(whenFound)} s after the deployment`);
    assert.ok((found.related_event_ids ?? []).includes(deployment.id),
      `the insight does not name the deployment ${deployment.id}: ${JSON.stringify(found)}`);
  });
});
