#!/usr/bin/env node
// The platform: what the article's cloud provides, on this machine. It
// brings up the stack of one environment — the table (a redis-server on a
// free loopback port, in its own directory, with no persistence), each
// function as its own Node process, and the API gateway in front of them —
// and then serves deployments: a new version of a function is started, the
// function's stable endpoint switched to it, and the old version stopped
// (as Lambda publishes a version and moves an alias). It runs in the foreground until
// SIGINT or SIGTERM, then stops everything it started and exits.
//
//   node demo/platform.mjs [--env dev] [--state DIR]
//                          [--otlp-endpoint URL] [--augur-api URL]
//
// It publishes its outputs (the API URL among them) in STATE/outputs.json,
// which `node demo/output.mjs` and `node demo/deploy.mjs` read. The control
// API (loopback, port chosen at start) is for deploy.mjs only:
//   GET  /functions                -> {name: {version, environment, url, pid}}
//   POST /functions/NAME/deploy {environment} -> {version, previous_version, deployed_at}
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import {
  DEMO_DIR, encodeResourceAttributes, faasName, functionEnvironment, loadStack, readApplied, readJsonOr,
  resourceAttributes, stateDir, writeJsonAtomic,
} from './lib/stack.mjs';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 8_000;
// Connections the endpoint handed to the old version just before the switch
// reach it within this; then it is stopped (it finishes what it accepted).
const DRAIN_MS = 500;
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

const { values: args } = parseArgs({
  options: {
    env: { type: 'string', default: 'dev' },
    state: { type: 'string' },
    'otlp-endpoint': { type: 'string' },
    'augur-api': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: node demo/platform.mjs [--env dev] [--state DIR] [--otlp-endpoint URL] [--augur-api URL]');
  process.exit(0);
}

const stack = loadStack(args.env);
const dir = stateDir(args.env, args.state);
const otlpEndpoint = args['otlp-endpoint'] || process.env.AUGUR_OTLP_ENDPOINT || 'http://127.0.0.1:4318';
const augurApi = args['augur-api'] || process.env.AUGUR_API_URL || 'http://127.0.0.1:8080';
const token = process.env.AUGUR_AUTH_TOKEN || '';

function say(line) {
  process.stdout.write(`[platform] ${line}\n`);
}

// --- children -------------------------------------------------------------------

let shuttingDown = false;

// A process the platform started. Its output goes to ours (or to logFile),
// one line at a time with a label. `ready` resolves with the port from the
// first line matching readyRe (group 1), and rejects if the process exits
// first (or, with a readyRe, if no line matched in time): the caller learns
// of a failed start. Once `started`, an exit nobody asked for stops the
// whole stack.
class Child {
  constructor(label, command, argv, { env, readyRe, logFile }) {
    this.label = label;
    const out = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : process.stdout;
    this.retired = false;
    this.started = false;
    this.proc = spawn(command, argv, { env, cwd: DEMO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => resolve({ code, signal }));
      this.proc.on('error', (err) => resolve({ code: null, signal: null, error: err }));
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = readyRe
        ? setTimeout(() => reject(new Error(`${label} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
        : undefined;
      for (const stream of [this.proc.stdout, this.proc.stderr]) {
        readline.createInterface({ input: stream }).on('line', (line) => {
          const m = readyRe?.exec(line);
          if (m) {
            clearTimeout(timer);
            this.started = true;
            resolve(Number(m[1]));
          } else {
            out.write(`[${this.label}] ${line}\n`);
          }
        });
      }
      this.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited while starting (code ${e.code}, signal ${e.signal}${e.error ? `, ${e.error.message}` : ''})`));
      });
    });
    this.ready.catch(() => {}); // a rejection nobody awaits (a stop after start) is not an error
    this.exited.then((e) => {
      if (this.retired || shuttingDown || !this.started) return;
      say(`${label} exited unexpectedly (code ${e.code}, signal ${e.signal}); stopping the stack`);
      shutdown(1);
    });
  }

  // SIGTERM, SIGKILL after STOP_TIMEOUT_MS.
  async stop() {
    this.retired = true;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

// Resolves once a Redis server answers PING on 127.0.0.1:port; rejects
// after READY_TIMEOUT_MS.
async function redisPing(port) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const pong = await new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      sock.setTimeout(1_000, () => sock.destroy());
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        got += d;
        if (got.includes('\r\n')) sock.end();
      });
      sock.on('close', () => resolve(got.startsWith('+PONG')));
      sock.on('error', () => {});
    });
    if (pong) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The environment of an app process: ours without any OTEL_* setting (so a
// user's shell cannot change what the demo measures), plus the SDK's
// standard variables for this service.
function appEnv(service, attrs, extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  return {
    ...env,
    OTEL_SERVICE_NAME: service,
    OTEL_RESOURCE_ATTRIBUTES: encodeResourceAttributes(attrs),
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_METRIC_EXPORT_INTERVAL: String(stack.telemetry?.metric_export_interval_ms ?? 60_000),
    ...(token ? { OTEL_EXPORTER_OTLP_HEADERS: `authorization=${encodeURIComponent(`Bearer ${token}`)}` } : {}),
    ...extra,
  };
}

const LISTENING_RE = /^\{"listening":(\d+)\}$/;
const telemetryJs = path.join(DEMO_DIR, 'app', 'telemetry.js');

async function startTable() {
  const tableDir = path.join(dir, 'table');
  fs.mkdirSync(tableDir, { recursive: true });
  // A port taken between freePort() and redis-server's bind is retried.
  for (let attempt = 1; ; ++attempt) {
    const port = await freePort();
    const child = new Child('table', 'redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', tableDir,
      '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes',
      '--maxmemory', stack.table.max_memory, '--maxmemory-policy', 'allkeys-lru', '--loglevel', 'warning',
    ], { env: process.env, logFile: path.join(dir, 'table.log') });
    try {
      await Promise.race([child.ready, redisPing(port)]);
      child.started = true;
      child.port = port;
      return child;
    } catch (err) {
      child.retired = true;
      if (attempt >= 3) throw err;
    }
  }
}

const functions = {}; // name -> {child, version, environment, port, startedAt}
const endpoints = {}; // name -> net.Server: the function's stable address

// A function's stable endpoint, as a Lambda function's invoke URL: a TCP
// forwarder on a fixed loopback port that hands each new connection to the
// version live at that moment. Connections already open stay with the
// version they reached, which finishes them before it stops.
async function startEndpoint(fn) {
  const server = net.createServer((client) => {
    const upstream = net.connect(functions[fn].port, '127.0.0.1');
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  endpoints[fn] = server;
}

function endpointUrl(fn) {
  return `http://${faasName(stack, fn)}:${endpoints[fn].address().port}`;
}

async function startFunction(fn, version, environment) {
  const attrs = resourceAttributes(stack, { service: fn, fn, version });
  const env = appEnv(fn, attrs, {
    ...environment,
    FUNCTION_NAME: fn,
    FUNCTION_HANDLER: path.join(DEMO_DIR, stack.functions[fn].handler),
    FUNCTION_VERSION: String(version),
    FAAS_NAME: faasName(stack, fn),
    TABLE_NAME: stack.table.name,
    TABLE_URL: `redis://127.0.0.1:${table.port}`,
  });
  const child = new Child(`${fn} v${version}`, process.execPath, ['--require', telemetryJs, path.join(DEMO_DIR, 'app', 'runtime.js')], {
    env,
    readyRe: LISTENING_RE,
  });
  let port;
  try {
    port = await child.ready;
  } catch (err) {
    await child.stop(); // one that hangs in its start-up must not linger
    throw err;
  }
  return { child, version, environment, port, startedAt: Date.now() };
}

function gatewayRoutes() {
  const routes = {};
  for (const [route, fn] of Object.entries(stack.gateway.routes)) routes[route] = { function: fn, url: endpointUrl(fn) };
  return routes;
}

async function startGateway() {
  const attrs = resourceAttributes(stack, { service: stack.gateway.service, version: stack.gateway.version });
  const env = appEnv(stack.gateway.service, attrs, {
    GATEWAY_ROUTES: JSON.stringify(gatewayRoutes()),
    GATEWAY_PORT: String(stack.gateway.port ?? 0),
  });
  const child = new Child('gateway', process.execPath, ['--require', telemetryJs, path.join(DEMO_DIR, 'app', 'gateway.js')], {
    env,
    readyRe: LISTENING_RE,
  });
  child.port = await child.ready;
  return child;
}

// --- deployments ------------------------------------------------------------------

const versionsFile = path.join(dir, 'versions.json');

function saveVersions() {
  writeJsonAtomic(versionsFile, Object.fromEntries(Object.entries(functions).map(([fn, f]) => [fn, f.version])));
}

// One deployment at a time.
let deployChain = Promise.resolve();
function serialized(task) {
  const p = deployChain.then(task);
  deployChain = p.catch(() => {});
  return p;
}

async function deploy(fn, environment) {
  const old = functions[fn];
  const next = await startFunction(fn, old.version + 1, environment);
  functions[fn] = next; // new connections to the endpoint go to it from now on
  const deployedAt = Date.now();
  saveVersions();
  say(`deployed ${fn} version ${next.version} (was ${old.version})`);
  setTimeout(() => old.child.stop(), DRAIN_MS);
  return { function: fn, version: String(next.version), previous_version: String(old.version), deployed_at: deployedAt };
}

// --- control API ---------------------------------------------------------------------

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
      if (body.length > MAX_CONTROL_BODY_BYTES) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

async function control(req, res) {
  const { pathname } = new URL(req.url, 'http://platform');
  if (req.method === 'GET' && pathname === '/functions') {
    const out = {};
    for (const [fn, f] of Object.entries(functions)) {
      out[fn] = { version: String(f.version), environment: f.environment, url: endpointUrl(fn), pid: f.child.proc.pid };
    }
    return reply(res, 200, out);
  }
  const m = /^\/functions\/([^/]+)\/deploy$/.exec(pathname);
  if (req.method === 'POST' && m) {
    const fn = decodeURIComponent(m[1]);
    if (!functions[fn]) return reply(res, 404, { error: `no function "${fn}"` });
    const body = JSON.parse(await readBody(req));
    const environment = Object.fromEntries(Object.entries(body.environment ?? {}).map(([k, v]) => [k, String(v)]));
    return reply(res, 200, await serialized(() => deploy(fn, environment)));
  }
  reply(res, 404, { error: `no route ${req.method} ${pathname}` });
}

// --- start and stop ------------------------------------------------------------------

let table;
let gateway;
let controlServer;
const outputsFile = path.join(dir, 'outputs.json');

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  say('stopping');
  controlServer?.close();
  for (const server of Object.values(endpoints)) server.close();
  // The app first, so that its last telemetry is flushed while the table
  // still answers; then the table.
  await Promise.all([gateway?.stop(), ...Object.values(functions).map((f) => f.child.stop())]);
  await table?.stop();
  fs.rmSync(outputsFile, { force: true });
  fs.rmSync(path.join(dir, 'table'), { recursive: true, force: true });
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

async function main() {
  fs.mkdirSync(dir, { recursive: true });
  const running = readJsonOr(outputsFile, null);
  if (running && isAlive(running.pid)) {
    throw new Error(`a platform is already running for this state (${dir}, pid ${running.pid}); stop it first or pass --state`);
  }
  const applied = readApplied(dir);
  const versions = readJsonOr(versionsFile, {});
  table = await startTable();
  say(`table "${stack.table.name}": redis-server on 127.0.0.1:${table.port}`);
  for (const fn of Object.keys(stack.functions)) {
    functions[fn] = await startFunction(fn, versions[fn] ?? 1, functionEnvironment(stack, fn, applied[fn]));
    await startEndpoint(fn);
    say(`function ${faasName(stack, fn)} version ${functions[fn].version} at ${endpointUrl(fn)}`);
  }
  saveVersions();
  gateway = await startGateway();
  controlServer = http.createServer((req, res) =>
    control(req, res).catch((err) => reply(res, 500, { error: err.message })),
  );
  await new Promise((resolve) => controlServer.listen(0, '127.0.0.1', resolve));
  const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  const outputs = {
    pid: process.pid,
    environment: stack.environment,
    api_url: `${gatewayUrl}/items`,
    gateway_url: gatewayUrl,
    control_url: `http://127.0.0.1:${controlServer.address().port}`,
    table_url: `redis://127.0.0.1:${table.port}`,
    otlp_endpoint: otlpEndpoint,
    augur_api_url: augurApi,
  };
  writeJsonAtomic(outputsFile, outputs);
  say(`environment ${stack.environment} is up; telemetry to ${otlpEndpoint}`);
  say(`api_url = ${outputs.api_url}`);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

main().catch((err) => {
  say(`error: ${err.message}`);
  shutdown(1);
});
