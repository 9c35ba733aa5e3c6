// The OpenTelemetry SDK for every process of the app, loaded before the
// app's own code with `node --require ./app/telemetry.js` — the part the
// ADOT Lambda layer plays in the article. It is configured the standard
// way, through environment variables the platform sets, so nothing in it is
// specific to augur:
//   OTEL_EXPORTER_OTLP_ENDPOINT   where to send (augur's OTLP/HTTP address)
//   OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES   who is sending
//   OTEL_METRIC_EXPORT_INTERVAL   metric export period in ms
// Spans and logs use the SDK's default batching (a 5 s schedule for spans).
//
// Auto-instrumentation: incoming and outgoing HTTP (instrumentation-http)
// and the Redis client (instrumentation-ioredis). They patch modules on
// require(), which is why the app is CommonJS and this file loads first.
'use strict';

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis');
const { logs, SeverityNumber } = require('@opentelemetry/api-logs');
const { metrics } = require('@opentelemetry/api');

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  metricReaders: [
    new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(),
      exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000,
    }),
  ],
  logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })],
  instrumentations: [
    new HttpInstrumentation(),
    new IORedisInstrumentation(),
  ],
});
sdk.start();

const scope = process.env.OTEL_SERVICE_NAME || 'demo';
const logger = logs.getLogger(scope);
const meter = metrics.getMeter(scope);

const SEVERITY = { DEBUG: SeverityNumber.DEBUG, INFO: SeverityNumber.INFO, WARN: SeverityNumber.WARN, ERROR: SeverityNumber.ERROR };

// One log record through the OTel logs SDK; it carries the active span's
// trace and span ids. Warnings and errors are also printed, for the
// platform's console.
function log(severity, body, attributes = {}) {
  logger.emit({ severityNumber: SEVERITY[severity], severityText: severity, body, attributes });
  if (severity === 'WARN' || severity === 'ERROR') process.stdout.write(`${severity} ${body}\n`);
}

// Flushes spans, metrics and logs; the process exits after it.
let stopping;
function shutdown() {
  stopping ??= sdk.shutdown().catch((err) => process.stderr.write(`telemetry shutdown: ${err.stack}\n`));
  return stopping;
}

module.exports = { log, meter, shutdown };
