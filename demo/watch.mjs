#!/usr/bin/env node
// Watches augur for what the last deployment caused, as one would watch the
// DevOps Guru console in the article:
//
//   node demo/watch.mjs open   [--service writer] [--timeout 180]
//       waits for a new insight (GET /api/v1/insights?status=ONGOING) about
//       the service, or, on an augur without insights yet, a new anomaly
//       (GET /api/v1/anomalies?status=ongoing) on it, raised after the last
//       deployment; prints each new one as it appears with the time elapsed
//       since that deployment, then the details of the one found.
//       --kind anomaly: stop at the first anomaly even when augur serves
//       insights. Exit 0 found (remembered in STATE/found.json), 3 timed out.
//   node demo/watch.mjs closed [--timeout 150]
//       waits until what `open` found is closed; prints the time elapsed
//       since the last deployment (the rollback). Exit 0 closed, 3 timed out.
//   node demo/watch.mjs summary
//       prints the change events and the insights (or anomalies) augur has.
//
// Common options: --env dev, --state DIR, --augur-api URL, --augur-bin PATH
// (the `augur` CLI prints the details when it has the command for them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AugurApi, augurApiUrl } from './lib/augur.mjs';
import { DEMO_DIR, readJson, readJsonOr, stateDir, writeJsonAtomic } from './lib/stack.mjs';

const POLL_MS = 2_000;

const { values: args, positionals } = parseArgs({
  options: {
    env: { type: 'string', default: 'dev' },
    state: { type: 'string' },
    service: { type: 'string', default: 'writer' },
    timeout: { type: 'string', default: '180' },
    kind: { type: 'string', default: 'auto' },
    'augur-api': { type: 'string' },
    'augur-bin': { type: 'string' },
  },
  allowPositionals: true,
});

const dir = stateDir(args.env, args.state);
const outputs = readJsonOr(path.join(dir, 'outputs.json'), null);
const api = new AugurApi(augurApiUrl(args['augur-api'], outputs));
const augurBin = args['augur-bin'] || process.env.AUGUR_BIN || path.join(DEMO_DIR, '..', 'build', 'augur');
const timeoutMs = Number(args.timeout) * 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ms = (rfc3339) => (rfc3339 ? Date.parse(rfc3339) : NaN);
const secs = (millis) => `${(millis / 1000).toFixed(1)} s`;
const hhmmss = (rfc3339) => (rfc3339 ? rfc3339.slice(11, 19) : '-');

// --- rendering ------------------------------------------------------------------

// True when this augur's CLI has the subcommand (it grows with the API).
function cliHas(command) {
  if (!fs.existsSync(augurBin)) return false;
  return spawnSync(augurBin, [command, '--help'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
}

// Prints `augur <command> <args>` if the CLI has it; false otherwise.
function printWithCli(command, cliArgs) {
  if (!cliHas(command)) return false;
  const r = spawnSync(augurBin, [command, ...cliArgs, '--api-url', api.url], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return false;
  const text = r.stdout.replace(/^(?=.)/gm, '    ');
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return true;
}

function anomalyLine(a) {
  const s = a.series ?? {};
  return `anomaly ${a.id} on ${s.service}${s.operation ? ` ${s.operation}` : ''}: ${a.explanation || `${a.kind} ${a.direction} in ${s.metric}`}`;
}

function renderAnomaly(a) {
  const s = a.series ?? {};
  const lines = [
    anomalyLine(a),
    `  series    ${s.metric} of ${s.service}${s.operation ? ` / ${s.operation}` : ''}`,
    `  detector  ${a.detector} (${a.kind}, ${a.direction}), score ${Number(a.score).toFixed(2)}, ${a.status}`,
    `  values    before ${a.values?.before}, observed ${a.values?.observed}, expected ${a.values?.expected_low}–${a.values?.expected_high} ${a.unit ?? ''}`,
    `  times     onset ${a.onset_time}, detected ${a.detected_time}${a.end_time ? `, ended ${a.end_time}` : ''}`,
  ];
  return lines.map((l) => `    ${l}`).join('\n');
}

function insightLine(i) {
  return `insight ${i.id} [${i.status}, ${i.severity}] ${i.name}`;
}

function renderInsight(i) {
  const rc = i.root_cause ?? {};
  const lines = [insightLine(i)];
  if (i.summary) lines.push(`  ${i.summary}`);
  if (rc.service) {
    lines.push(`  root cause: ${rc.service}${rc.operation ? ` ${rc.operation}` : ''}${rc.dependency ? ` -> ${rc.dependency}` : ''}` +
      ` (${rc.kind}), confidence ${Number(rc.confidence).toFixed(2)}`);
    for (const e of rc.evidence ?? []) lines.push(`    - ${e}`);
  }
  const events = i.related_events?.map((e) => `${e.id} (${e.type} ${e.service} ${e.version})`) ?? i.related_event_ids ?? [];
  if (events.length) lines.push(`  related events: ${events.join(', ')}`);
  for (const r of i.recommendations ?? []) lines.push(`  recommendation: ${r.name}${r.description ? ` — ${r.description}` : ''}`);
  for (const a of i.anomalies ?? []) lines.push(`  ${a.role ?? ''} ${anomalyLine(a)}`);
  for (const l of i.log_snippets ?? []) lines.push(`  log ${hhmmss(l.time)} ${l.service} ${l.severity}: ${l.body}`);
  lines.push(`  times: start ${i.start_time}, detected ${i.detected_time}${i.end_time ? `, end ${i.end_time}` : ''}`);
  return lines.map((l) => `    ${l}`).join('\n');
}

async function printDetails(kind, id) {
  if (kind === 'insight') {
    if (printWithCli('insight', [id])) return;
    const r = await api.get(`/api/v1/insights/${encodeURIComponent(id)}`);
    if (r.status === 200) console.log(renderInsight(r.json));
  } else {
    if (printWithCli('anomaly', [id])) return;
    const r = await api.get(`/api/v1/anomalies/${encodeURIComponent(id)}`);
    if (r.status === 200) console.log(renderAnomaly(r.json));
  }
}

// --- modes ------------------------------------------------------------------------

function lastDeploy() {
  const file = path.join(dir, 'last-deploy.json');
  if (!fs.existsSync(file)) throw new Error(`no deployment recorded yet (${file})`);
  return readJson(file);
}

// Insights when this augur serves them (null otherwise).
async function ongoingInsights() {
  const r = await api.get('/api/v1/insights?status=ONGOING');
  return r.status === 200 ? (r.json?.insights ?? []) : null;
}

async function ongoingAnomalies() {
  const r = await api.get('/api/v1/anomalies?status=ongoing');
  if (r.status !== 200) throw new Error(`GET /api/v1/anomalies answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json?.anomalies ?? [];
}

async function watchOpen() {
  const deploy = lastDeploy();
  const since = deploy.deployed_at_ms;
  const elapsed = () => `+${secs(Date.now() - since)}`;
  console.log(`watching augur (${api.url}) for what version ${deploy.version} of ${deploy.service} caused...`);
  const seen = new Set();
  let announcedMode = false;
  let servesInsights = false;
  let firstAnomaly = null; // the first new anomaly on the service: {id, wall}
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let found;
    try {
      const insights = args.kind === 'anomaly' ? null : await ongoingInsights();
      servesInsights ||= insights !== null;
      if (!announcedMode) {
        console.log(insights ? '(this augur serves insights)'
          : args.kind === 'anomaly' ? '(watching anomalies)' : '(this augur has no insights API yet: watching anomalies)');
        announcedMode = true;
      }
      for (const a of await ongoingAnomalies()) {
        if (seen.has(a.id) || !(ms(a.detected_time) >= since)) continue;
        seen.add(a.id);
        console.log(`${elapsed()}  ${anomalyLine(a)}  (event time: detected ${secs(ms(a.detected_time) - since)} after the deployment)`);
        if (a.series?.service !== args.service) continue;
        firstAnomaly ??= { id: a.id, wall: Date.now() - since };
        if (!insights && !found) found = { kind: 'anomaly', id: a.id, at: a.detected_time };
      }
      // An insight is rewritten (same id, next revision) as augur learns
      // more, so each revision is judged again.
      for (const i of insights ?? []) {
        const related = (i.related_event_ids ?? []).includes(deploy.event_id);
        if (!(ms(i.detected_time) >= since || related)) continue;
        const revision = `${i.id}@${i.revision}`;
        if (!seen.has(i.id)) {
          console.log(`${elapsed()}  ${insightLine(i)}  (event time: detected ${secs(ms(i.detected_time) - since)} after the deployment)`);
        } else if (!seen.has(revision)) {
          console.log(`${elapsed()}  insight ${i.id} revised (${i.revision}): root cause ${i.root_cause?.service || '?'}`);
        }
        seen.add(i.id).add(revision);
        if (!found && (related || i.root_cause?.service === args.service)) found = { kind: 'insight', id: i.id, at: i.detected_time };
      }
    } catch (err) {
      console.log(`${elapsed()}  augur: ${err.message}`);
    }
    if (found) {
      const wall = Date.now() - since;
      console.log(`\n${found.kind} ${found.id} on ${args.service} appeared ${secs(wall)} after the deployment` +
        ` (event time: ${secs(ms(found.at) - since)}):`);
      await printDetails(found.kind, found.id);
      writeJsonAtomic(path.join(dir, 'found.json'), { ...found, service: args.service, elapsed_ms: wall, event_elapsed_ms: ms(found.at) - since });
      return 0;
    }
    await sleep(POLL_MS);
  }
  console.log(`no ${servesInsights ? 'insight' : 'anomaly'} on ${args.service} within ${secs(timeoutMs)} of the deployment` +
    (servesInsights && firstAnomaly ? ` (augur raised anomaly ${firstAnomaly.id} on it after ${secs(firstAnomaly.wall)})` : ''));
  return 3;
}

async function watchClosed() {
  const found = readJsonOr(path.join(dir, 'found.json'), null);
  if (!found) throw new Error('nothing was found to wait for (run `watch.mjs open` first)');
  const deploy = lastDeploy();
  const since = deploy.deployed_at_ms;
  const route = found.kind === 'insight' ? 'insights' : 'anomalies';
  console.log(`waiting for ${found.kind} ${found.id} to close after version ${deploy.version} of ${deploy.service}...`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await api.get(`/api/v1/${route}/${encodeURIComponent(found.id)}`);
      if (r.status === 200 && String(r.json?.status).toLowerCase() === 'closed') {
        console.log(`${found.kind} ${found.id} closed ${secs(Date.now() - since)} after the rollback` +
          ` (event time: ended ${secs(ms(r.json.end_time) - since)} after it)`);
        await printDetails(found.kind, found.id);
        return 0;
      }
    } catch (err) {
      console.log(`augur: ${err.message}`);
    }
    await sleep(POLL_MS);
  }
  console.log(`${found.kind} ${found.id} is still open ${secs(timeoutMs)} after the rollback`);
  return 3;
}

async function summary() {
  console.log('change events:');
  if (!printWithCli('events', [])) {
    const r = await api.get('/api/v1/events');
    for (const e of r.json?.events ?? []) {
      const changes = (e.changes ?? []).map((c) => `${c.key}: ${c.old} -> ${c.new}`).join(', ');
      console.log(`    ${e.time} ${e.id} ${e.type} ${e.service} ${e.previous_version || '?'} -> ${e.version} (${(e.sources?.length ? e.sources : [e.source]).join('+')})${changes ? ` ${changes}` : ''}`);
    }
  }
  const insights = await api.get('/api/v1/insights');
  if (insights.status === 200) {
    console.log('insights:');
    if (!printWithCli('insights', [])) for (const i of insights.json?.insights ?? []) console.log(`    ${insightLine(i)}`);
    return 0;
  }
  console.log('anomalies:');
  if (!printWithCli('anomalies', [])) {
    const r = await api.get('/api/v1/anomalies');
    for (const a of r.json?.anomalies ?? []) console.log(`    ${hhmmss(a.onset_time)}–${hhmmss(a.end_time)} ${a.status} ${anomalyLine(a)}`);
  }
  return 0;
}

const modes = { open: watchOpen, closed: watchClosed, summary };
const mode = modes[positionals[0]];
if (!mode || !['auto', 'anomaly'].includes(args.kind)) {
  console.error('usage: node demo/watch.mjs open|closed|summary [--service writer] [--timeout S] [--kind auto|anomaly]\n' +
    '                      [--env dev] [--state DIR] [--augur-api URL] [--augur-bin PATH]');
  process.exit(2);
}
mode().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`watch: ${err.message}`);
    process.exit(1);
  },
);
