#!/usr/bin/env node
// Deploys one function of the running platform, as `terragrunt apply` does
// in the article, and tells augur about it:
//
//   node demo/deploy.mjs --env dev --function writer --set INJECT_LATENCY=true
//
// 1. The function's settings are worked out from the files (stack.json,
//    envs/<env>.json), the settings earlier deploys set, and --set.
// 2. The plan (what changes) is printed; with no change, nothing happens.
// 3. The platform starts the function as a new version (service.version and
//    faas.version go up by one), moves the gateway's route to it and stops
//    the old version.
// 4. A DEPLOYMENT event with the changes ({key, old, new}) is recorded in
//    augur through POST /api/v1/events, as a CI/CD pipeline would.
//
// Options: --state DIR (default: see lib/stack.mjs), --augur-api URL,
// --description TEXT, --force (deploy a new version even without a change).
// Exit status: 0 deployed (or nothing to do), 1 failed; 2 deployed but augur
// did not record the event.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AugurApi, augurApiUrl } from './lib/augur.mjs';
import {
  configDiff, faasName, functionEnvironment, loadStack, parseSets, readApplied, readOutputs, stateDir,
  writeApplied, writeJsonAtomic,
} from './lib/stack.mjs';

const { values: args } = parseArgs({
  options: {
    env: { type: 'string', default: 'dev' },
    function: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    state: { type: 'string' },
    'augur-api': { type: 'string' },
    description: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
});

async function main() {
  if (!args.function) throw new Error('--function NAME is required');
  const fn = args.function;
  const stack = loadStack(args.env);
  const dir = stateDir(args.env, args.state);
  const outputs = readOutputs(dir);
  const sets = parseSets(args.set);
  const applied = readApplied(dir);
  const fnApplied = { ...(applied[fn] ?? {}), ...sets };
  const desired = functionEnvironment(stack, fn, fnApplied);

  const res = await fetch(`${outputs.control_url}/functions`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the platform answered ${res.status}: ${await res.text()}`);
  const current = (await res.json())[fn];
  if (!current) throw new Error(`the platform runs no function "${fn}"`);

  const changes = configDiff(current.environment, desired);
  console.log(`${faasName(stack, fn)} (version ${current.version}):`);
  for (const c of changes) console.log(`  ~ ${c.key}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}`);
  if (changes.length === 0 && !args.force) {
    console.log('  No changes. The function is up to date.');
    return 0;
  }

  const deployed = await fetch(`${outputs.control_url}/functions/${encodeURIComponent(fn)}/deploy`, {
    method: 'POST',
    body: JSON.stringify({ environment: desired }),
    signal: AbortSignal.timeout(60_000),
  });
  const result = await deployed.json();
  if (!deployed.ok) throw new Error(`the deployment failed: ${result.error ?? deployed.status}`);
  applied[fn] = fnApplied;
  writeApplied(dir, applied);
  const when = new Date(result.deployed_at).toISOString();
  console.log(`deployed ${fn} version ${result.version} (was ${result.previous_version}) at ${when}`);

  const description = args.description ??
    `deploy.mjs: ${fn} version ${result.version} in ${stack.environment}` +
      (changes.length ? ` (${changes.map((c) => `${c.key}=${c.new}`).join(', ')})` : '');
  const event = {
    type: 'DEPLOYMENT',
    service: fn,
    version: result.version,
    previous_version: result.previous_version,
    time: when,
    source: 'deploy',
    description,
    changes,
  };
  const record = {
    function: fn,
    service: fn,
    version: result.version,
    previous_version: result.previous_version,
    deployed_at_ms: result.deployed_at,
    changes,
    event_id: null,
  };
  const api = new AugurApi(augurApiUrl(args['augur-api'], outputs));
  let status = 0;
  try {
    const r = await api.post('/api/v1/events', event);
    if (r.status !== 201 && r.status !== 200) throw new Error(`${r.status} ${r.text.slice(0, 500)}`);
    record.event_id = r.json?.id ?? null;
    console.log(`recorded DEPLOYMENT event ${record.event_id} in augur (${api.url})`);
  } catch (err) {
    console.error(`deploy: the deployment is done, but augur did not record the event: ${err.message}`);
    status = 2;
  }
  writeJsonAtomic(path.join(dir, 'last-deploy.json'), record);
  return status;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`deploy: ${err.message}`);
    process.exit(1);
  },
);
