// The API gateway: the app's public HTTP endpoint. It routes
// "METHOD /path" to the function that serves it (GATEWAY_ROUTES, a JSON
// object {"POST /items": {"function": "writer", "url":
// "http://augur-demo-dev-writer:PORT"}, ...}), proxies the request (the HTTP
// instrumentation propagates the trace, so a request is one trace across
// gateway and function), and writes one access-log record per request.
// Like API Gateway it answers 404 for an unknown route, 502 when the
// function cannot be reached and 504 after a 29 s integration timeout.
//
// A function's URL is its stable endpoint on the platform, which hands each
// connection to whichever version is live, so a deployment changes nothing
// here. Its host name is the function's name, resolved to 127.0.0.1 by the
// gateway itself (as a service mesh would), so that the CLIENT spans name
// the function they call (server.address), not a port of the moment.
//
// SIGTERM: stops accepting, finishes the requests in flight, flushes
// telemetry, exits 0.
'use strict';

const telemetry = require('./telemetry');
const dns = require('node:dns');
const http = require('node:http');
const { context } = require('@opentelemetry/api');
const { getRPCMetadata, RPCType } = require('@opentelemetry/core');

const INTEGRATION_TIMEOUT_MS = 29_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'host', 'transfer-encoding', 'upgrade', 'proxy-connection']);

const routes = JSON.parse(process.env.GATEWAY_ROUTES || '{}');
const functionHosts = new Set(Object.values(routes).map((r) => new URL(r.url).hostname));

// The functions' host names resolve to loopback; any other name as usual.
function lookup(hostname, options, callback) {
  if (!functionHosts.has(hostname)) return dns.lookup(hostname, options, callback);
  if (options?.all) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
  return callback(null, '127.0.0.1', 4);
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

// One access-log record per request, as API Gateway's access logs.
function accessLog(req, pathname, status, started, extra = {}) {
  const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
  const attrs = {
    'http.request.method': req.method,
    'url.path': pathname,
    'http.response.status_code': status,
    duration_ms: ms,
    ...extra,
  };
  const target = extra['target.version'] ? ` -> ${extra['target.function']} v${extra['target.version']}` : '';
  telemetry.log(status >= 500 ? 'ERROR' : 'INFO', `${req.method} ${pathname} ${status} in ${ms} ms${target}`, attrs);
}

function proxy(req, res, pathname, route) {
  const started = process.hrtime.bigint();
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = pathname;
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
  // A new connection per request (agent: false): the platform's endpoint
  // hands each connection to the live version, and a pooled connection to a
  // retired version could be handed a request just as it closes.
  const up = http.request(`${route.url}${req.url}`, { method: req.method, headers, agent: false, lookup });
  let done = false;
  const fail = (status, message, err) => {
    if (done) return;
    done = true;
    if (!res.headersSent) answer(res, status, { message });
    else res.destroy();
    accessLog(req, pathname, status, started, { 'target.function': route.function, 'error.message': err.message });
  };
  up.setTimeout(INTEGRATION_TIMEOUT_MS, () => up.destroy(Object.assign(new Error('integration timeout'), { timeout: true })));
  up.on('error', (err) =>
    err.timeout ? fail(504, 'Endpoint request timed out', err) : fail(502, 'Internal server error', err),
  );
  up.on('response', (upRes) => {
    const out = {};
    for (const [k, v] of Object.entries(upRes.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(upRes.statusCode, out);
    upRes.pipe(res);
    upRes.on('end', () => {
      if (done) return;
      done = true;
      accessLog(req, pathname, upRes.statusCode, started, {
        'target.function': route.function,
        'target.version': String(upRes.headers['x-function-version'] ?? ''),
      });
    });
    upRes.on('error', (err) => fail(502, 'Internal server error', err));
  });
  req.pipe(up);
}

const server = http.createServer((req, res) => {
  const pathname = new URL(req.url, 'http://gateway').pathname;
  const route = routes[`${req.method} ${pathname}`];
  if (!route) {
    const started = process.hrtime.bigint();
    answer(res, 404, { message: 'Not Found' });
    return accessLog(req, pathname, 404, started);
  }
  proxy(req, res, pathname, route);
});
server.listen(Number(process.env.GATEWAY_PORT) || 0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 8_000).unref();
  await new Promise((resolve) => server.close(resolve));
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
