// The official OpenTelemetry JS SDK wired to augur over one of the three OTLP
// transports. Each exporter is wrapped in a recorder that keeps the export
// results and exactly what the SDK handed to the exporter, so the tests can
// compare what augur stored with what the SDK recorded (hrTime and all).
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import grpc from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter as MetricProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricJson, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPLogExporter as LogProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';

export { AggregationTemporalityPreference };

// SDK-internal errors (failed exports, partial success) go to stderr, so a
// failing test shows why.
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

// For tests whose exports are meant to fail: silence the SDK's complaints.
export async function withQuietSdk(fn) {
  diag.disable();
  try {
    return await fn();
  } finally {
    diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  }
}

export const TRANSPORTS = ['http-proto', 'http-json', 'grpc'];
const EXPORT_TIMEOUT_MS = 10_000;

// Options for the exporters of `transport` against a running augur. Over TLS
// (augur.ca set) the exporters trust `ca`, which defaults to augur.ca; null
// means only the system's CAs (a client that does not trust augur's cert).
function exporterOptions(transport, augur, signal, token, ca = augur.ca) {
  const tls = augur.otlpHttpUrl.startsWith('https:');
  if (transport === 'grpc') {
    const metadata = new grpc.Metadata();
    if (token) metadata.set('authorization', `Bearer ${token}`);
    const o = { url: augur.grpcUrl, metadata, timeoutMillis: EXPORT_TIMEOUT_MS };
    if (tls) o.credentials = ca ? grpc.credentials.createSsl(Buffer.from(ca)) : grpc.credentials.createSsl();
    return o;
  }
  const o = {
    url: `${augur.otlpHttpUrl}/v1/${signal}`,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    timeoutMillis: EXPORT_TIMEOUT_MS,
  };
  if (tls && ca) o.httpAgentOptions = { keepAlive: true, ca };
  return o;
}

export function makeTraceExporter(transport, augur, { token, compression, ca } = {}) {
  const o = { ...exporterOptions(transport, augur, 'traces', token, ca), ...(compression ? { compression } : {}) };
  return new ({ 'http-proto': TraceProto, 'http-json': TraceJson, grpc: TraceGrpc }[transport])(o);
}

export function makeMetricExporter(transport, augur, { token, temporalityPreference, ca } = {}) {
  const o = { ...exporterOptions(transport, augur, 'metrics', token, ca) };
  if (temporalityPreference !== undefined) o.temporalityPreference = temporalityPreference;
  return new ({ 'http-proto': MetricProto, 'http-json': MetricJson, grpc: MetricGrpc }[transport])(o);
}

export function makeLogExporter(transport, augur, { token, ca } = {}) {
  const o = exporterOptions(transport, augur, 'logs', token, ca);
  return new ({ 'http-proto': LogProto, 'http-json': LogJson, grpc: LogGrpc }[transport])(o);
}

// Wraps an SDK exporter (span, log or metric): remembers every export result
// and the items of the successful exports.
export class Recorder {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
    this.exported = [];
    if (typeof inner.selectAggregationTemporality === 'function') {
      this.selectAggregationTemporality = (t) => inner.selectAggregationTemporality(t);
    }
    if (typeof inner.selectAggregation === 'function') {
      this.selectAggregation = (t) => inner.selectAggregation(t);
    }
  }

  export(items, resultCallback) {
    this.inner.export(items, (result) => {
      this.results.push(result);
      if (result.code === ExportResultCode.SUCCESS) {
        if (Array.isArray(items)) this.exported.push(...items);
        else this.exported.push(items); // metrics: one ResourceMetrics
      }
      resultCallback(result);
    });
  }

  forceFlush() {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }

  shutdown() {
    return this.inner.shutdown();
  }

  // Throws unless there was at least one export and every one succeeded.
  assertAllSucceeded(what) {
    if (this.results.length === 0) throw new Error(`${what}: the SDK exported nothing`);
    const failed = this.results.filter((r) => r.code !== ExportResultCode.SUCCESS);
    if (failed.length) {
      throw new Error(`${what}: ${failed.length} of ${this.results.length} exports failed: ` +
        failed.map((r) => String(r.error?.message ?? r.error)).join('; '));
    }
  }
}

// A tracer, meter and logger provider for one resource, each exporting to
// augur over `transport` through a Recorder.
export function makePipelines(transport, augur, resourceAttributes, {
  token, temporalityPreference, views = [], compression,
} = {}) {
  const resource = resourceFromAttributes(resourceAttributes);
  const spans = new Recorder(makeTraceExporter(transport, augur, { token, compression }));
  const metrics = new Recorder(makeMetricExporter(transport, augur, { token, temporalityPreference }));
  const logs = new Recorder(makeLogExporter(transport, augur, { token }));
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spans)] });
  const meterProvider = new MeterProvider({
    resource,
    views,
    readers: [new PeriodicExportingMetricReader({
      exporter: metrics,
      exportIntervalMillis: 3_600_000, // only the explicit flushes export
      exportTimeoutMillis: EXPORT_TIMEOUT_MS,
    })],
  });
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
  return {
    resource,
    recorders: { spans, metrics, logs },
    tracerProvider,
    meterProvider,
    loggerProvider,
    async flushAndShutdown() {
      await tracerProvider.forceFlush();
      await meterProvider.forceFlush();
      await loggerProvider.forceFlush();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      await loggerProvider.shutdown();
    },
  };
}
