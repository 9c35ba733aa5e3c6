// The stack description and its state, in the spirit of the article's
// Terragrunt layout: stack.json holds what every environment shares,
// envs/<env>.json overrides it per environment, and a state directory
// (like Terraform state) keeps what was applied: the running platform's
// address and the settings changed with `deploy --set`.
//
// Everything here is plain data in, plain data out, except the few
// functions that read or write files, which say so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Objects merge key by key; anything else in `override` replaces `base`.
export function deepMerge(base, override) {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Reads stack.json and envs/<env>.json (files) and merges them.
export function loadStack(envName, demoDir = DEMO_DIR) {
  const envFile = path.join(demoDir, 'envs', `${envName}.json`);
  if (!fs.existsSync(envFile)) {
    const known = fs.readdirSync(path.join(demoDir, 'envs')).map((f) => f.replace(/\.json$/, ''));
    throw new Error(`no environment "${envName}" (known: ${known.join(', ')})`);
  }
  const stack = deepMerge(readJson(path.join(demoDir, 'stack.json')), readJson(envFile));
  stack.environment = stack.environment ?? envName;
  return stack;
}

// The environment variables a function gets: the stack's, then the
// environment's overrides (already merged into `stack`), then what earlier
// deploys set (`applied`), then this deploy's `--set`s. Values are strings,
// as in any process environment.
export function functionEnvironment(stack, fn, applied = {}, sets = {}) {
  const spec = stack.functions?.[fn];
  if (!spec) throw new Error(`no function "${fn}" in the stack (functions: ${Object.keys(stack.functions ?? {}).join(', ')})`);
  const env = { ...(spec.environment ?? {}), ...applied, ...sets };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

// [{key, old, new}] for every key whose value differs, sorted by key; a
// missing value is "" (augur's change events carry strings).
export function configDiff(before, after) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => ({ key: k, old: before[k] ?? '', new: after[k] ?? '' }));
}

// ["KEY=VALUE", ...] -> {KEY: "VALUE"}; throws on a malformed entry.
export function parseSets(list) {
  const out = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--set takes KEY=VALUE, got "${kv}"`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

// The name a function has on the platform, as a Lambda function name would:
// <project>-<environment>-<function>.
export function faasName(stack, fn) {
  return `${stack.project}-${stack.environment}-${fn}`;
}

// The OpenTelemetry resource of one deployed version of a service: what
// augur groups by (service.name), what marks a deployment (service.version,
// faas.version) and what selects the demo's telemetry (augur.collection, like
// the tag DevOps Guru's resource collection filters on).
export function resourceAttributes(stack, { service, fn, version }) {
  const attrs = {
    'service.name': service,
    'service.version': String(version),
    'deployment.environment.name': stack.environment,
    'augur.collection': stack.collection,
  };
  if (fn) {
    attrs['faas.name'] = faasName(stack, fn);
    attrs['faas.version'] = String(version);
  }
  return attrs;
}

// OTEL_RESOURCE_ATTRIBUTES: key=value pairs, comma-separated, values
// percent-encoded as the specification asks.
export function encodeResourceAttributes(attrs) {
  return Object.entries(attrs)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join(',');
}

// --- state (files) ------------------------------------------------------------

// The state directory of an environment: --state, else $DEMO_STATE_DIR, else
// a fixed folder under the system's temp dir, so that the commands of a
// walkthrough find each other without flags.
export function stateDir(envName, explicit) {
  return path.resolve(explicit || process.env.DEMO_STATE_DIR || path.join(os.tmpdir(), `augur-demo-${envName}`));
}

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function readJsonOr(file, fallback) {
  try {
    return readJson(file);
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  }
}

// Written whole or not at all (rename), so a reader never sees half a file.
export function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

// What the running platform publishes in its state directory.
export function readOutputs(dir) {
  const file = path.join(dir, 'outputs.json');
  const outputs = readJsonOr(file, null);
  if (!outputs) throw new Error(`no running platform: ${file} is missing (start it with node demo/platform.mjs)`);
  return outputs;
}

// Settings changed by earlier deploys, per function (the state that makes a
// later deploy keep them, as an edited terragrunt.hcl would).
export function readApplied(dir) {
  return readJsonOr(path.join(dir, 'applied.json'), {});
}

export function writeApplied(dir, applied) {
  writeJsonAtomic(path.join(dir, 'applied.json'), applied);
}
