// Starting and stopping a real augur for the end-to-end tests, plus small
// helpers for its query API.
//
// Every augur gets a fresh temporary data directory (unless the test hands
// one in, to restart on it) and port 0 for every listener; the ports are read
// from the "... listening on HOST:PORT" lines augur logs on stderr, and the
// process counts as up once it logs "augur ready". Everything is bounded in
// time: start-up, shutdown, every HTTP request, every poll.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const AUGUR_BIN = process.env.AUGUR_BIN
  ? path.resolve(process.env.AUGUR_BIN)
  : path.join(REPO_ROOT, 'build', 'augur');

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;

// Every augur started by this process, so that none outlives the test run even
// when a test forgets (or fails before) its cleanup.
const live = new Set();
process.on('exit', () => {
  for (const a of live) {
    try {
      a.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// Fails (never skips) when the binary is missing: a missing server is an error.
export function assertBinary() {
  let st;
  try {
    st = fs.statSync(AUGUR_BIN);
  } catch {
    throw new Error(
      `augur binary not found at ${AUGUR_BIN}. Build it (cmake --build build) or set AUGUR_BIN to its path.`,
    );
  }
  if (!st.isFile()) throw new Error(`AUGUR_BIN=${AUGUR_BIN} is not a file`);
  try {
    fs.accessSync(AUGUR_BIN, fs.constants.X_OK);
  } catch {
    throw new Error(`augur binary at ${AUGUR_BIN} is not executable`);
  }
}

export function makeTempDir(prefix = 'augur-it-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

const LISTEN_RE = /\b(otlp_grpc|otlp_http|api) listening on (\S+):(\d+)\s*$/;

// Starts `augur serve` and resolves once it has logged "augur ready" with its
// three listeners. Options:
//   dataDir: reuse this directory (the caller owns it); else a fresh temp dir
//            that stop()/kill9() remove unless keepDataDir is set.
//   args:    extra command-line arguments (e.g. ['--auth-token', 's3cret']).
//   bare:    pass only `serve` and args: no --data-dir and no listen-address
//            flags (for a --config file that sets them). dataDir is then just
//            what the caller says the config uses; it is never removed here.
//   tls:     {ca}: augur serves TLS (args or config say so) with a
//            certificate that `ca` (PEM) verifies; the URLs become https and
//            the helpers here, in otlp.js and in sdk.js trust `ca`.
//   cwd:     working directory of the process (default: this process's).
export async function startAugur({
  dataDir, args = [], keepDataDir = false, readyTimeoutMs = READY_TIMEOUT_MS, bare = false, tls, cwd,
} = {}) {
  assertBinary();
  const ownsDir = !dataDir && !bare;
  const dir = bare ? dataDir : (dataDir ?? makeTempDir());
  const argv = bare ? ['serve', ...args] : [
    'serve',
    '--data-dir', dir,
    '--otlp-grpc-addr', '127.0.0.1:0',
    '--otlp-http-addr', '127.0.0.1:0',
    '--http-addr', '127.0.0.1:0',
    ...args,
  ];
  const proc = spawn(AUGUR_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  const a = new Augur(proc, dir, ownsDir && !keepDataDir, argv);
  a.ca = tls?.ca;
  live.add(a);
  try {
    await a._waitReady(readyTimeoutMs);
  } catch (err) {
    await a.stop();
    throw err;
  }
  return a;
}

// Runs augur with `argv` (everything after the binary) for a run that is
// expected to end by itself (bad config, port in use): resolves to
// {code, signal, stdout, stderr, elapsedMs, timedOut, killedOn} once it exits.
// It is killed (SIGKILL) after timeoutMs (timedOut: true), or as soon as its
// output matches the regex killOn (killedOn: the matching text), e.g.
// /augur ready/ for a run that should never get that far.
export async function runAugur(argv, { timeoutMs = 10_000, cwd, killOn } = {}) {
  assertBinary();
  const started = Date.now();
  const proc = spawn(AUGUR_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  const a = { proc };
  live.add(a);
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  let killedOn = null;
  const check = () => {
    const m = killOn && killedOn === null ? killOn.exec(stderr + stdout) : null;
    if (m) {
      killedOn = m[0];
      proc.kill('SIGKILL');
    }
  };
  proc.stdout.on('data', (d) => { stdout = (stdout + d).slice(-50_000); check(); });
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-50_000); check(); });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, timeoutMs);
  const { code, signal } = await new Promise((resolve) => {
    proc.on('error', (err) => resolve({ code: null, signal: null, error: err }));
    // 'close', not 'exit': all of the output has been read by then.
    proc.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  clearTimeout(timer);
  live.delete(a);
  return { code, signal, stdout, stderr, elapsedMs: Date.now() - started, timedOut, killedOn,
    describe: () => `command: ${AUGUR_BIN} ${argv.join(' ')}\nexit code ${code}, signal ${signal}` +
      `${timedOut ? `, killed after ${timeoutMs} ms` : ''}${killedOn !== null ? `, killed when it logged ${JSON.stringify(killedOn)}` : ''}\n--- stderr ---\n${stderr.slice(-4000)}\n--- stdout ---\n${stdout.slice(-2000)}` };
}

export class Augur {
  constructor(proc, dataDir, removeDataDir, argv) {
    this.proc = proc;
    this.dataDir = dataDir;
    this.argv = argv;
    this._removeDataDir = removeDataDir;
    this._stderr = '';
    this._stdout = '';
    this.ports = {};
    this.exit = null; // {code, signal} once exited
    this.ca = undefined; // PEM the clients trust when augur serves TLS (startAugur tls.ca)
    this._exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
      });
      proc.on('error', (err) => {
        this._spawnError = err;
        this.exit = this.exit ?? { code: null, signal: null, error: err };
        live.delete(this);
        resolve(this.exit);
      });
    });
    proc.stderr.setEncoding('utf8');
    proc.stdout.setEncoding('utf8');
    // Keep a bounded tail of the output for error messages.
    proc.stderr.on('data', (d) => {
      this._stderr = (this._stderr + d).slice(-200_000);
    });
    proc.stdout.on('data', (d) => {
      this._stdout = (this._stdout + d).slice(-50_000);
    });
  }

  get stderr() {
    return this._stderr;
  }

  describeOutput() {
    return `command: ${AUGUR_BIN} ${this.argv.join(' ')}\n--- stderr ---\n${this._stderr.slice(-8000)}` +
      (this._stdout ? `\n--- stdout ---\n${this._stdout.slice(-4000)}` : '');
  }

  // The contract says stderr; stdout is read too so that a server logging to
  // the wrong stream still starts (otlp_sdk.test.js checks the stream).
  async _waitReady(timeoutMs) {
    this.readyLines = { stderr: [], stdout: [] };
    const ready = new Promise((resolve, reject) => {
      const listeners = [];
      for (const stream of ['stderr', 'stdout']) {
        let buffered = '';
        const onData = (d) => {
          buffered += d;
          let nl;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).replace(/\r$/, '');
            buffered = buffered.slice(nl + 1);
            this.readyLines[stream].push(line);
            const m = LISTEN_RE.exec(line);
            if (m) this.ports[m[1]] = Number(m[3]);
            if (line.includes('augur ready')) {
              this.readyStream = stream;
              for (const [st, fn] of listeners) this.proc[st].off('data', fn);
              resolve();
              return;
            }
          }
        };
        listeners.push([stream, onData]);
        this.proc[stream].on('data', onData);
      }
      this._exited.then((e) => reject(new Error(
        `augur exited before it was ready (code ${e.code}, signal ${e.signal}${e.error ? `, ${e.error.message}` : ''})\n` +
        this.describeOutput())));
    });
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(
        `augur did not log "augur ready" within ${timeoutMs} ms\n${this.describeOutput()}`)), timeoutMs);
    });
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
    for (const k of ['otlp_grpc', 'otlp_http', 'api']) {
      if (!this.ports[k]) {
        throw new Error(`augur said it was ready but logged no "${k} listening on HOST:PORT" line\n${this.describeOutput()}`);
      }
    }
    const scheme = this.ca ? 'https' : 'http';
    this.grpcAddr = `127.0.0.1:${this.ports.otlp_grpc}`;
    this.grpcUrl = `${scheme}://127.0.0.1:${this.ports.otlp_grpc}`;
    this.otlpHttpUrl = `${scheme}://127.0.0.1:${this.ports.otlp_http}`;
    this.apiUrl = `${scheme}://127.0.0.1:${this.ports.api}`;
  }

  get running() {
    return this.exit === null;
  }

  // SIGTERM, then SIGKILL if it has not exited within timeoutMs. Resolves to
  // {code, signal, forced}. Removes the data dir if this Augur owns it.
  async stop({ timeoutMs = STOP_TIMEOUT_MS, keepDataDir = false } = {}) {
    let forced = false;
    if (this.running) {
      this.proc.kill('SIGTERM');
      let timer;
      const t = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const r = await Promise.race([this._exited, t]);
      clearTimeout(timer);
      if (r === 'timeout') {
        forced = true;
        this.proc.kill('SIGKILL');
        await this._exited;
      }
    }
    await this._exited;
    if (this._removeDataDir && !keepDataDir) removeDir(this.dataDir);
    return { ...this.exit, forced };
  }

  // kill -9; resolves once the process is gone. Keeps the data dir.
  async kill9() {
    if (this.running) this.proc.kill('SIGKILL');
    return this._exited;
  }

  // --- query API --------------------------------------------------------------

  async api(pathAndQuery, { token, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    return httpGet(this.apiUrl + pathAndQuery, { token, headers, timeoutMs, ca: this.ca });
  }

  // GET that must answer 200 with JSON; throws a descriptive error otherwise.
  async apiJson(pathAndQuery, opts = {}) {
    const r = await this.api(pathAndQuery, opts);
    if (r.status !== 200 || r.json === undefined) {
      throw new Error(`GET ${pathAndQuery} -> ${r.status} ${r.text.slice(0, 2000)}`);
    }
    return r.json;
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// GET with a timeout; answers {status, headers, text, json}. An https URL goes
// through node:https and trusts `ca` (PEM) if given, else only the system's
// CAs; its answer also has peerFingerprint256, the SHA-256 fingerprint of the
// certificate the server presented. A TLS failure rejects with the error
// (err.code is e.g. DEPTH_ZERO_SELF_SIGNED_CERT).
export async function httpGet(url, { token, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS, ca } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (url.startsWith('https:')) return httpsGet(url, { headers: h, timeoutMs, ca });
  const res = await fetch(url, { headers: h, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseJson(text) };
}

function httpsGet(url, { headers, timeoutMs, ca }) {
  return new Promise((resolve, reject) => {
    // agent: false, so no TLS session is reused between differently trusting calls.
    const req = https.request(url, { method: 'GET', headers, agent: false, ...(ca ? { ca } : {}) });
    const timer = setTimeout(() => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (res) => {
      const fingerprint = res.socket.getPeerCertificate?.()?.fingerprint256;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const hs = new Headers();
        for (const [k, v] of Object.entries(res.headers)) hs.set(k, Array.isArray(v) ? v.join(', ') : String(v));
        resolve({ status: res.statusCode, headers: hs, text, json: parseJson(text), peerFingerprint256: fingerprint });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}

// Polls fn() until it returns a truthy value, or throws after timeoutMs with
// the last value or error in the message. For eventual visibility of ingested
// data (the ingest queue is asynchronous) without blind sleeps.
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      lastErr = undefined;
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastErr ? `last error: ${lastErr.stack ?? lastErr}` : `last value: ${JSON.stringify(last)?.slice(0, 2000)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// --- time -------------------------------------------------------------------

// [seconds, nanos] (the SDK's HrTime) -> BigInt nanoseconds, as the OTLP
// exporters compute it.
export function hrToNs(hr) {
  return BigInt(Math.trunc(hr[0])) * 1_000_000_000n + BigInt(Math.trunc(hr[1]));
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

// RFC 3339 string -> BigInt nanoseconds since the epoch, exactly.
export function rfc3339ToNs(s) {
  const m = RFC3339_RE.exec(s);
  if (!m) throw new Error(`not an RFC 3339 timestamp: ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, sec, frac = '', tz] = m;
  let secs = BigInt(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) / 1000);
  if (tz !== 'Z') {
    const sign = tz[0] === '+' ? 1n : -1n;
    secs -= sign * (BigInt(Number(tz.slice(1, 3)) * 3600 + Number(tz.slice(4, 6)) * 60));
  }
  return secs * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
}

export function nsToRfc3339(ns) {
  const secs = ns / 1_000_000_000n;
  const nanos = ns % 1_000_000_000n;
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${iso}.${nanos.toString().padStart(9, '0')}Z`;
}

export function uniqueSuffix() {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// --- /metrics (Prometheus text) ---------------------------------------------

// Parses the Prometheus text format into [{name, labels, value}].
export function parsePrometheus(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}
