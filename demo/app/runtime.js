// The function runtime: what Lambda does around a handler. One process runs
// one version of one function (FUNCTION_HANDLER), behind an HTTP server on
// 127.0.0.1 that only the gateway calls. Per invocation it builds an event
// and a context, calls handler(event, context), answers with its
// {statusCode, body}, and writes one log record (plus an error record when
// the handler threw). It also keeps the FaaS metrics of the OpenTelemetry
// semantic conventions: faas.invocations, faas.errors, faas.invoke_duration,
// faas.coldstarts.
//
// Start-up: prints {"listening": PORT} on stdout once it accepts requests;
// the platform waits for that line. SIGTERM: stops accepting, finishes the
// requests in flight, closes the table, flushes telemetry, exits 0.
'use strict';

const telemetry = require('./telemetry'); // loaded first by --require; this is the same instance
const http = require('node:http');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { context, trace, SpanStatusCode } = require('@opentelemetry/api');
const { getRPCMetadata, RPCType } = require('@opentelemetry/core');

const FUNCTION_NAME = process.env.FUNCTION_NAME;
const FAAS_NAME = process.env.FAAS_NAME || FUNCTION_NAME;
const FUNCTION_VERSION = process.env.FUNCTION_VERSION || '1';
const MAX_BODY_BYTES = 64 * 1024;

const fn = require(path.resolve(process.env.FUNCTION_HANDLER));

const attrs = { 'faas.trigger': 'http' };
const invocations = telemetry.meter.createCounter('faas.invocations', { description: 'Invocations of the function' });
const errors = telemetry.meter.createCounter('faas.errors', { description: 'Invocations that failed' });
const duration = telemetry.meter.createHistogram('faas.invoke_duration', {
  description: 'Time the handler took',
  unit: 's',
});
telemetry.meter.createCounter('faas.coldstarts', { description: 'Cold starts' }).add(1, attrs);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('request body too large'), { statusCode: 413 }));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function invoke(req, res) {
  const started = process.hrtime.bigint();
  const url = new URL(req.url, 'http://function');
  // Names the SERVER span "POST /items" and sets http.route on it and on
  // the http.server.duration metric, as a web framework would.
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = url.pathname;
  const requestId = randomUUID();
  let result;
  let failure;
  try {
    const body = await readBody(req);
    const event = {
      httpMethod: req.method,
      path: url.pathname,
      queryStringParameters: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: body || null,
    };
    const ctx = { functionName: FAAS_NAME, functionVersion: FUNCTION_VERSION, awsRequestId: requestId };
    result = await fn.handler(event, ctx);
  } catch (err) {
    failure = err;
    const span = trace.getActiveSpan();
    span?.recordException(err);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    result = { statusCode: err.statusCode ?? 500, body: { message: 'Internal server error' } };
  }
  const status = result?.statusCode ?? 200;
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-function-version': FUNCTION_VERSION,
    'x-request-id': requestId,
  });
  res.end(JSON.stringify(result?.body ?? null));

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  invocations.add(1, attrs);
  duration.record(seconds, attrs);
  const logAttrs = {
    'faas.invocation_id': requestId,
    'http.request.method': req.method,
    'url.path': url.pathname,
    'http.response.status_code': status,
    duration_ms: Math.round(seconds * 1e4) / 10,
  };
  telemetry.log('INFO', `${req.method} ${url.pathname} ${status} in ${logAttrs.duration_ms} ms`, logAttrs);
  if (failure) {
    errors.add(1, attrs);
    telemetry.log('ERROR', `${FUNCTION_NAME} failed: ${failure.message}`, {
      ...logAttrs,
      'exception.type': failure.name,
      'exception.message': failure.message,
    });
  }
}

const server = http.createServer((req, res) => {
  invoke(req, res).catch((err) => {
    process.stderr.write(`runtime: ${err.stack}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Bounded: a request that never ends does not keep the process alive.
  setTimeout(() => process.exit(1), 8_000).unref();
  await new Promise((resolve) => server.close(resolve));
  await fn.close?.();
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
