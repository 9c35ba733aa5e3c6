// Protobuf → model conversion and validation, and the Decode entry point.

#include "otlp/decode.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/decode_common.h"
#include "otlp/json.h"
#include "otlp/trace_wire.h"

namespace augur::otlp {
namespace {

namespace common_pb = opentelemetry::proto::common::v1;
namespace resource_pb = opentelemetry::proto::resource::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace metrics_pb = opentelemetry::proto::metrics::v1;
namespace logs_pb = opentelemetry::proto::logs::v1;
namespace collector_trace = opentelemetry::proto::collector::trace::v1;
namespace collector_metrics = opentelemetry::proto::collector::metrics::v1;
namespace collector_logs = opentelemetry::proto::collector::logs::v1;

template <typename T>
using Repeated = google::protobuf::RepeatedPtrField<T>;

using internal::FieldNames;
using internal::kLogFields;
using internal::kLogTooDeep;
using internal::kMaxValueNesting;
using internal::kMetricFields;
using internal::kTooDeep;
using internal::kTraceFields;
using internal::Position;
using internal::Rejections;
using internal::ToSpanKind;
using internal::ToStatusCode;

// ---- Values ----

// Both return false when a value nests deeper than kMaxValueNesting.
bool ConvertAttributes(const Repeated<common_pb::KeyValue>& in, model::Attributes* out, int nesting = 0);

bool ConvertValue(const common_pb::AnyValue& in, model::AnyValue* out, int nesting) {
  switch (in.value_case()) {
    case common_pb::AnyValue::kStringValue: out->value.emplace<std::string>(in.string_value()); return true;
    case common_pb::AnyValue::kBoolValue: out->value = in.bool_value(); return true;
    case common_pb::AnyValue::kIntValue: out->value = in.int_value(); return true;
    case common_pb::AnyValue::kDoubleValue: out->value = in.double_value(); return true;
    case common_pb::AnyValue::kBytesValue: {
      const std::string& bytes = in.bytes_value();
      out->value.emplace<model::Bytes>(bytes.begin(), bytes.end());
      return true;
    }
    case common_pb::AnyValue::kArrayValue: {
      if (nesting >= kMaxValueNesting) return false;
      const auto& values = in.array_value().values();
      auto& array = out->value.emplace<model::ArrayValue>(values.size());
      for (int i = 0; i < values.size(); ++i) {
        if (!ConvertValue(values[i], &array[i], nesting + 1)) return false;
      }
      return true;
    }
    case common_pb::AnyValue::kKvlistValue:
      if (nesting >= kMaxValueNesting) return false;
      return ConvertAttributes(in.kvlist_value().values(), &out->value.emplace<model::Attributes>(), nesting + 1);
    case common_pb::AnyValue::VALUE_NOT_SET: return true;  // *out is a fresh, empty value
  }
  return true;
}

bool ConvertAttributes(const Repeated<common_pb::KeyValue>& in, model::Attributes* out, int nesting) {
  out->resize(in.size());
  for (int i = 0; i < in.size(); ++i) {
    (*out)[i].key = in[i].key();
    if (!ConvertValue(in[i].value(), &(*out)[i].value, nesting)) return false;
  }
  return true;
}

// ---- Ids ----

template <size_t N>
void CopyId(const std::string& bytes, std::array<uint8_t, N>* id) {
  std::copy(bytes.begin(), bytes.end(), id->begin());
}

std::string WrongLength(const char* field, size_t got, const char* want) {
  return std::string(field) + " has " + std::to_string(got) + " bytes, want " + want;
}

// Links are not validated (decode.h): an id of the wrong size becomes absent.
template <size_t N>
void CopyIdIfValid(const std::string& bytes, std::array<uint8_t, N>* id) {
  if (bytes.size() == N) CopyId(bytes, id);
}

// ---- Resources and scopes ----

// Builds the batch's resources and scopes. A resource or scope is added when
// the first item that points to it is kept, so the batch holds none without
// items. Each ResourceX/ScopeX of the request becomes its own entry:
// deduplication across requests is the store's job.
class ContextBuilder {
 public:
  explicit ContextBuilder(model::Batch* batch) : batch_(batch) {}

  // Returns false when an attribute nests too deep.
  bool StartResource(const resource_pb::Resource& resource, const std::string& schema_url) {
    resource_index_.reset();
    resource_ = model::Resource{};
    if (!ConvertAttributes(resource.attributes(), &resource_.attributes)) return false;
    std::string_view service = model::StringAttribute(resource_.attributes, "service.name");
    resource_.service_name = service.empty() ? "unknown_service" : std::string(service);
    resource_.schema_url = schema_url;
    return true;
  }

  bool StartScope(const common_pb::InstrumentationScope& scope) {
    scope_index_.reset();
    scope_ = model::Scope{};
    scope_.name = scope.name();
    scope_.version = scope.version();
    return ConvertAttributes(scope.attributes(), &scope_.attributes);
  }

  // Points `item` at the current resource and scope, adding them if needed.
  template <typename Item>
  void Attach(Item* item) {
    if (!resource_index_) {
      resource_index_ = static_cast<uint32_t>(batch_->resources.size());
      batch_->resources.push_back(std::move(resource_));
    }
    if (!scope_index_) {
      scope_index_ = static_cast<uint32_t>(batch_->scopes.size());
      batch_->scopes.push_back(std::move(scope_));
    }
    item->resource_index = *resource_index_;
    item->scope_index = *scope_index_;
  }

 private:
  model::Batch* batch_;
  model::Resource resource_;
  model::Scope scope_;
  std::optional<uint32_t> resource_index_;
  std::optional<uint32_t> scope_index_;
};

// Walks a request's resources and scopes, and hands each item to
// `convert_item(item, position)`. When a resource's or scope's attributes are
// too deep, all its items are rejected (`count_items` says how many that is).
template <typename ResourceX, typename ScopesOf, typename ItemsOf, typename CountItems, typename ConvertItem>
void ForEachItem(const Repeated<ResourceX>& resources, const FieldNames& fields, ContextBuilder* context,
                 Rejections* rejections, ScopesOf scopes_of, ItemsOf items_of, CountItems count_items,
                 ConvertItem convert_item) {
  for (int r = 0; r < resources.size(); ++r) {
    Position position{&fields, r};
    const auto& scopes = scopes_of(resources[r]);
    if (!context->StartResource(resources[r].resource(), resources[r].schema_url())) {
      int64_t count = 0;
      for (const auto& scope : scopes) count += count_items(scope);
      rejections->Add(count, position, kTooDeep);
      continue;
    }
    for (int s = 0; s < scopes.size(); ++s) {
      position.scope = s;
      position.item = -1;
      if (!context->StartScope(scopes[s].scope())) {
        rejections->Add(count_items(scopes[s]), position, kTooDeep);
        continue;
      }
      const auto& items = items_of(scopes[s]);
      for (int i = 0; i < items.size(); ++i) {
        position.item = i;
        convert_item(items[i], position);
      }
    }
  }
}

// ---- Spans ----

// The reason a span is invalid, or "" when it is valid.
std::string SpanProblem(const trace_pb::Span& span) {
  return internal::SpanProblem(span.trace_id(), span.span_id(), span.parent_span_id(), span.start_time_unix_nano(),
                               span.end_time_unix_nano());
}

// Fills `out` from a valid span; false when a value nests too deep.
bool ConvertSpan(const trace_pb::Span& in, model::Span* out) {
  CopyId(in.trace_id(), &out->trace_id);
  CopyId(in.span_id(), &out->span_id);
  if (!in.parent_span_id().empty()) CopyId(in.parent_span_id(), &out->parent_span_id);
  out->trace_state = in.trace_state();
  out->flags = in.flags();
  out->name = in.name();
  out->kind = ToSpanKind(in.kind());
  out->start_time_unix_nano = in.start_time_unix_nano();
  out->end_time_unix_nano = in.end_time_unix_nano();
  if (!ConvertAttributes(in.attributes(), &out->attributes)) return false;

  out->events.resize(in.events_size());
  for (int i = 0; i < in.events_size(); ++i) {
    const trace_pb::Span::Event& event = in.events(i);
    out->events[i].time_unix_nano = event.time_unix_nano();
    out->events[i].name = event.name();
    if (!ConvertAttributes(event.attributes(), &out->events[i].attributes)) return false;
  }

  out->links.resize(in.links_size());
  for (int i = 0; i < in.links_size(); ++i) {
    const trace_pb::Span::Link& link = in.links(i);
    CopyIdIfValid(link.trace_id(), &out->links[i].trace_id);
    CopyIdIfValid(link.span_id(), &out->links[i].span_id);
    out->links[i].trace_state = link.trace_state();
    out->links[i].flags = link.flags();
    if (!ConvertAttributes(link.attributes(), &out->links[i].attributes)) return false;
  }

  out->status_code = ToStatusCode(in.status().code());
  out->status_message = in.status().message();
  return true;
}

// ---- Metrics ----

std::string PointTimeProblem(uint64_t time_unix_nano) {
  return time_unix_nano == 0 ? "time_unix_nano is 0" : std::string();
}

std::string PointProblem(const metrics_pb::NumberDataPoint& p) {
  return PointTimeProblem(p.time_unix_nano());
}
std::string PointProblem(const metrics_pb::ExponentialHistogramDataPoint& p) {
  return PointTimeProblem(p.time_unix_nano());
}
std::string PointProblem(const metrics_pb::SummaryDataPoint& p) {
  return PointTimeProblem(p.time_unix_nano());
}

std::string PointProblem(const metrics_pb::HistogramDataPoint& p) {
  if (p.time_unix_nano() == 0) return PointTimeProblem(0);
  const int bounds = p.explicit_bounds_size();
  if (p.bucket_counts_size() != 0 && p.bucket_counts_size() != bounds + 1) {
    return "histogram has " + std::to_string(p.bucket_counts_size()) + " bucket_counts for " + std::to_string(bounds) +
           " explicit_bounds, want " + std::to_string(bounds + 1);
  }
  for (int i = 1; i < bounds; ++i) {
    // Written so that NaN bounds fail too.
    if (!(p.explicit_bounds(i) > p.explicit_bounds(i - 1))) {
      return "explicit_bounds[" + std::to_string(i) + "] is not greater than the bound before it";
    }
  }
  return {};
}

template <typename PbPoint>
bool ConvertPointCommon(const PbPoint& in, model::MetricPoint* out) {
  out->start_time_unix_nano = in.start_time_unix_nano();
  out->time_unix_nano = in.time_unix_nano();
  out->flags = in.flags();
  return ConvertAttributes(in.attributes(), &out->attributes);
}

bool ConvertPoint(const metrics_pb::NumberDataPoint& in, model::MetricPoint* out) {
  if (in.value_case() == metrics_pb::NumberDataPoint::kAsInt) {
    out->value = static_cast<double>(in.as_int());
    out->is_int = true;
  } else {
    out->value = in.as_double();
  }
  return ConvertPointCommon(in, out);
}

bool ConvertPoint(const metrics_pb::HistogramDataPoint& in, model::MetricPoint* out) {
  auto& h = out->distribution.emplace<model::HistogramValue>();
  h.count = in.count();
  h.has_sum = in.has_sum();
  h.sum = in.sum();
  h.has_min = in.has_min();
  h.min = in.min();
  h.has_max = in.has_max();
  h.max = in.max();
  h.explicit_bounds.assign(in.explicit_bounds().begin(), in.explicit_bounds().end());
  h.bucket_counts.assign(in.bucket_counts().begin(), in.bucket_counts().end());
  return ConvertPointCommon(in, out);
}

bool ConvertPoint(const metrics_pb::ExponentialHistogramDataPoint& in, model::MetricPoint* out) {
  auto& h = out->distribution.emplace<model::ExponentialHistogramValue>();
  h.count = in.count();
  h.has_sum = in.has_sum();
  h.sum = in.sum();
  h.has_min = in.has_min();
  h.min = in.min();
  h.has_max = in.has_max();
  h.max = in.max();
  h.scale = in.scale();
  h.zero_count = in.zero_count();
  h.zero_threshold = in.zero_threshold();
  h.positive_offset = in.positive().offset();
  h.positive_bucket_counts.assign(in.positive().bucket_counts().begin(), in.positive().bucket_counts().end());
  h.negative_offset = in.negative().offset();
  h.negative_bucket_counts.assign(in.negative().bucket_counts().begin(), in.negative().bucket_counts().end());
  return ConvertPointCommon(in, out);
}

bool ConvertPoint(const metrics_pb::SummaryDataPoint& in, model::MetricPoint* out) {
  auto& s = out->distribution.emplace<model::SummaryValue>();
  s.count = in.count();
  s.sum = in.sum();
  s.quantiles.reserve(in.quantile_values_size());
  for (const auto& q : in.quantile_values()) s.quantiles.push_back({q.quantile(), q.value()});
  return ConvertPointCommon(in, out);
}

// Appends the valid points of `in` to `metric`, rejecting the others.
template <typename PbPoint>
void ConvertPoints(const Repeated<PbPoint>& in, Position position, model::Metric* metric, Rejections* rejections) {
  metric->points.reserve(in.size());
  for (int p = 0; p < in.size(); ++p) {
    std::string problem = PointProblem(in[p]);
    if (problem.empty() && !ConvertPoint(in[p], &metric->points.emplace_back())) {
      metric->points.pop_back();
      problem = kTooDeep;
    }
    if (!problem.empty()) {
      position.point = p;
      rejections->Add(1, position, problem);
    }
  }
}

model::Temporality ToTemporality(int temporality) {
  return temporality >= 0 && temporality <= 2 ? static_cast<model::Temporality>(temporality)
                                              : model::Temporality::kUnspecified;
}

// The number of data points a metric counts for when rejected: a metric
// without data counts as one, so that it is reported.
int64_t RejectedPointCount(const metrics_pb::Metric& metric) {
  switch (metric.data_case()) {
    case metrics_pb::Metric::kGauge: return metric.gauge().data_points_size();
    case metrics_pb::Metric::kSum: return metric.sum().data_points_size();
    case metrics_pb::Metric::kHistogram: return metric.histogram().data_points_size();
    case metrics_pb::Metric::kExponentialHistogram: return metric.exponential_histogram().data_points_size();
    case metrics_pb::Metric::kSummary: return metric.summary().data_points_size();
    case metrics_pb::Metric::DATA_NOT_SET: return 1;
  }
  return 1;
}

// Fills `out` with the metric and its valid points.
void ConvertMetric(const metrics_pb::Metric& in, const Position& position, model::Metric* out, Rejections* rejections) {
  out->name = in.name();
  out->description = in.description();
  out->unit = in.unit();
  switch (in.data_case()) {
    case metrics_pb::Metric::kGauge:
      out->type = model::MetricType::kGauge;
      ConvertPoints(in.gauge().data_points(), position, out, rejections);
      break;
    case metrics_pb::Metric::kSum:
      out->type = model::MetricType::kSum;
      out->temporality = ToTemporality(in.sum().aggregation_temporality());
      out->monotonic = in.sum().is_monotonic();
      ConvertPoints(in.sum().data_points(), position, out, rejections);
      break;
    case metrics_pb::Metric::kHistogram:
      out->type = model::MetricType::kHistogram;
      out->temporality = ToTemporality(in.histogram().aggregation_temporality());
      ConvertPoints(in.histogram().data_points(), position, out, rejections);
      break;
    case metrics_pb::Metric::kExponentialHistogram:
      out->type = model::MetricType::kExponentialHistogram;
      out->temporality = ToTemporality(in.exponential_histogram().aggregation_temporality());
      ConvertPoints(in.exponential_histogram().data_points(), position, out, rejections);
      break;
    case metrics_pb::Metric::kSummary:
      out->type = model::MetricType::kSummary;
      ConvertPoints(in.summary().data_points(), position, out, rejections);
      break;
    case metrics_pb::Metric::DATA_NOT_SET: rejections->Add(1, position, "metric has no data"); break;
  }
}

// ---- Logs ----

std::string LogProblem(const logs_pb::LogRecord& log) {
  if (!log.trace_id().empty() && log.trace_id().size() != 16) {
    return WrongLength("trace_id", log.trace_id().size(), "0 or 16");
  }
  if (!log.span_id().empty() && log.span_id().size() != 8) {
    return WrongLength("span_id", log.span_id().size(), "0 or 8");
  }
  return {};
}

bool ConvertLog(const logs_pb::LogRecord& in, model::LogRecord* out) {
  out->time_unix_nano = in.time_unix_nano();
  out->observed_time_unix_nano = in.observed_time_unix_nano();
  out->severity_number = in.severity_number() >= 0 && in.severity_number() <= 24
                             ? static_cast<uint8_t>(in.severity_number())
                             : 0;  // a number from the future: unspecified
  out->severity_text = in.severity_text();
  out->flags = in.flags();
  if (!in.trace_id().empty()) CopyId(in.trace_id(), &out->trace_id);
  if (!in.span_id().empty()) CopyId(in.span_id(), &out->span_id);
  out->event_name = in.event_name();
  return ConvertValue(in.body(), &out->body, 0) && ConvertAttributes(in.attributes(), &out->attributes);
}

// ---- Decode ----

// The first block of each decode's arena: kept per thread and reused, so a
// request's messages usually land in memory that is already mapped and warm,
// instead of in a chain of fresh blocks (the arena's default blocks grow only
// to 8 KiB, some hundred mallocs for a 200 KB request). It grows to the most
// a request needed, up to a cap so that one huge request does not pin its
// memory to the thread for good; larger requests continue in ordinary blocks.
class ArenaBlock {
 public:
  google::protobuf::ArenaOptions Options() {
    google::protobuf::ArenaOptions options;
    options.initial_block = data_.get();
    options.initial_block_size = size_;
    options.max_block_size = kMaxExtraBlock;
    return options;
  }

  void GrowTo(uint64_t used) {
    const size_t want = std::min<uint64_t>(used + used / 4, kMaxBytes);
    if (want <= size_) return;
    data_ = std::make_unique_for_overwrite<char[]>(want);
    size_ = want;
  }

 private:
  static constexpr size_t kMaxBytes = 8u << 20;
  // Blocks after the first double in size up to this rather than up to
  // 8 KiB, so a request that outgrows the first block takes few mallocs.
  static constexpr size_t kMaxExtraBlock = 1u << 20;

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

template <typename Request>
StatusOr<DecodeResult> ParseAndConvert(Encoding encoding, std::string_view body, google::protobuf::Arena* arena) {
  Request& request = *google::protobuf::Arena::CreateMessage<Request>(arena);
  if (encoding == Encoding::kJson) {
    Status status = JsonToProto(body, &request);
    if (!status.ok()) return status;
    return FromProto(request);
  }
  if (body.size() > INT_MAX || !request.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    std::string message = "cannot parse " + request.GetDescriptor()->name() +
                          " protobuf: malformed or truncated message (" + std::to_string(body.size()) + " bytes)";
    if (body.starts_with("\x1f\x8b")) message += "; the body is gzip data, is Content-Encoding missing?";
    if (body.starts_with("{")) message += "; the body looks like JSON, is Content-Type wrong?";
    return Status::InvalidArgument(std::move(message));
  }
  return FromProto(request);
}

template <typename Request>
StatusOr<DecodeResult> DecodeRequest(Encoding encoding, std::string_view body) {
  // The request lives only until it is converted: an arena makes its many
  // small messages cheap to allocate and free (about +30% throughput).
  thread_local ArenaBlock block;
  uint64_t used = 0;
  StatusOr<DecodeResult> result = [&] {
    google::protobuf::Arena arena(block.Options());
    StatusOr<DecodeResult> converted = ParseAndConvert<Request>(encoding, body, &arena);
    used = arena.SpaceUsed();
    return converted;
  }();
  // Only now that the arena is gone may its first block be replaced.
  block.GrowTo(used);
  return result;
}

}  // namespace

const char* SignalName(Signal signal) {
  switch (signal) {
    case Signal::kTraces: return "traces";
    case Signal::kMetrics: return "metrics";
    case Signal::kLogs: return "logs";
  }
  return "traces";
}

StatusOr<DecodeResult> Decode(Signal signal, Encoding encoding, std::string_view body) {
  // Trace protobuf is most of what augur receives: read straight from the
  // wire, without building the request's messages first (docs/benchmarks.md).
  if (signal == Signal::kTraces && encoding == Encoding::kProtobuf) return DecodeTracesFromWire(body);
  return DecodeViaMessages(signal, encoding, body);
}

StatusOr<DecodeResult> DecodeViaMessages(Signal signal, Encoding encoding, std::string_view body) {
  switch (signal) {
    case Signal::kTraces: return DecodeRequest<collector_trace::ExportTraceServiceRequest>(encoding, body);
    case Signal::kMetrics: return DecodeRequest<collector_metrics::ExportMetricsServiceRequest>(encoding, body);
    case Signal::kLogs: return DecodeRequest<collector_logs::ExportLogsServiceRequest>(encoding, body);
  }
  return Status::Internal("unknown signal");
}

DecodeResult FromProto(const collector_trace::ExportTraceServiceRequest& request) {
  DecodeResult result;
  model::Batch& batch = result.batch;
  size_t total = 0;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) total += ss.spans_size();
  }
  batch.spans.reserve(total);

  Rejections rejections("span", "spans");
  ContextBuilder context(&batch);
  ForEachItem(
      request.resource_spans(), kTraceFields, &context, &rejections,
      [](const trace_pb::ResourceSpans& rs) -> const auto& { return rs.scope_spans(); },
      [](const trace_pb::ScopeSpans& ss) -> const auto& { return ss.spans(); },
      [](const trace_pb::ScopeSpans& ss) -> int64_t { return ss.spans_size(); },
      [&](const trace_pb::Span& in, const Position& position) {
        std::string problem = SpanProblem(in);
        if (problem.empty()) {
          model::Span& span = batch.spans.emplace_back();
          if (ConvertSpan(in, &span)) {
            context.Attach(&span);
            return;
          }
          batch.spans.pop_back();
          problem = kTooDeep;
        }
        rejections.Add(1, position, problem);
      });
  rejections.Finish(&result);
  return result;
}

DecodeResult FromProto(const collector_metrics::ExportMetricsServiceRequest& request) {
  DecodeResult result;
  model::Batch& batch = result.batch;
  size_t total = 0;
  for (const auto& rm : request.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) total += sm.metrics_size();
  }
  batch.metrics.reserve(total);

  Rejections rejections("data point", "data points");
  ContextBuilder context(&batch);
  ForEachItem(
      request.resource_metrics(), kMetricFields, &context, &rejections,
      [](const metrics_pb::ResourceMetrics& rm) -> const auto& { return rm.scope_metrics(); },
      [](const metrics_pb::ScopeMetrics& sm) -> const auto& { return sm.metrics(); },
      [](const metrics_pb::ScopeMetrics& sm) {
        int64_t count = 0;
        for (const auto& metric : sm.metrics()) count += RejectedPointCount(metric);
        return count;
      },
      [&](const metrics_pb::Metric& in, const Position& position) {
        model::Metric& metric = batch.metrics.emplace_back();
        ConvertMetric(in, position, &metric, &rejections);
        if (metric.points.empty()) {
          batch.metrics.pop_back();
        } else {
          context.Attach(&metric);
        }
      });
  rejections.Finish(&result);
  return result;
}

DecodeResult FromProto(const collector_logs::ExportLogsServiceRequest& request) {
  DecodeResult result;
  model::Batch& batch = result.batch;
  size_t total = 0;
  for (const auto& rl : request.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) total += sl.log_records_size();
  }
  batch.logs.reserve(total);

  Rejections rejections("log record", "log records");
  ContextBuilder context(&batch);
  ForEachItem(
      request.resource_logs(), kLogFields, &context, &rejections,
      [](const logs_pb::ResourceLogs& rl) -> const auto& { return rl.scope_logs(); },
      [](const logs_pb::ScopeLogs& sl) -> const auto& { return sl.log_records(); },
      [](const logs_pb::ScopeLogs& sl) -> int64_t { return sl.log_records_size(); },
      [&](const logs_pb::LogRecord& in, const Position& position) {
        std::string problem = LogProblem(in);
        if (problem.empty()) {
          model::LogRecord& log = batch.logs.emplace_back();
          if (ConvertLog(in, &log)) {
            context.Attach(&log);
            return;
          }
          batch.logs.pop_back();
          problem = kLogTooDeep;
        }
        rejections.Add(1, position, problem);
      });
  rejections.Finish(&result);
  return result;
}

}  // namespace augur::otlp
