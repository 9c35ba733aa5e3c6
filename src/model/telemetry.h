// augur's internal model of telemetry: resources, scopes, spans, metrics and
// log records.
//
// It mirrors OTLP's data model but does not depend on protobuf, so analysis
// and storage never see wire types. Everything is plain values: a Batch owns
// all its data and may be moved between threads; nothing in it is shared
// except attribute keys, which point into an immutable process-wide table
// (attribute_key.h) and so never dangle.
//
// Timestamps are uint64 nanoseconds since the Unix epoch, as in OTLP; 0 means
// "not set". Ids are fixed-size byte arrays; an all-zero id means "absent".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/attribute_key.h"

namespace augur::model {

struct KeyValue;
struct AnyValue;
using Attributes = std::vector<KeyValue>;
using Bytes = std::vector<uint8_t>;
using ArrayValue = std::vector<AnyValue>;

// An attribute value or a log body. monostate is OTLP's empty value.
struct AnyValue {
  std::variant<std::monostate, std::string, bool, int64_t, double, Bytes, ArrayValue, Attributes> value;
  bool operator==(const AnyValue&) const = default;
};

struct KeyValue {
  AttributeKey key;  // interned: see attribute_key.h
  AnyValue value;
  bool operator==(const KeyValue&) const = default;
};

// Returns the value of `key`, or nullptr.
const AnyValue* FindAttribute(const Attributes& attributes, std::string_view key);
// The value of `key` when it is a string, else "".
std::string_view StringAttribute(const Attributes& attributes, std::string_view key);

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

template <size_t N>
bool IsZero(const std::array<uint8_t, N>& id) {
  for (uint8_t b : id) {
    if (b != 0) return false;
  }
  return true;
}

// The entity that produced telemetry. service_name is the `service.name`
// attribute, or "unknown_service" when it is missing (as the semantic
// conventions say SDKs must report).
struct Resource {
  Attributes attributes;
  std::string service_name;
  std::string schema_url;
  bool operator==(const Resource&) const = default;
};

// The instrumentation library that produced a span, metric or log.
struct Scope {
  std::string name;
  std::string version;
  Attributes attributes;
  bool operator==(const Scope&) const = default;
};

enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
enum class StatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  uint64_t time_unix_nano = 0;
  std::string name;
  Attributes attributes;
  bool operator==(const SpanEvent&) const = default;
};

struct SpanLink {
  TraceId trace_id{};
  SpanId span_id{};
  std::string trace_state;
  uint32_t flags = 0;
  Attributes attributes;
  bool operator==(const SpanLink&) const = default;
};

struct Span {
  uint32_t resource_index = 0;  // into Batch::resources
  uint32_t scope_index = 0;     // into Batch::scopes
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_span_id{};  // all zero for a root span
  std::string trace_state;
  uint32_t flags = 0;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  StatusCode status_code = StatusCode::kUnset;
  std::string status_message;
  bool operator==(const Span&) const = default;
};

enum class MetricType : uint8_t { kGauge = 0, kSum = 1, kHistogram = 2, kExponentialHistogram = 3, kSummary = 4 };
enum class Temporality : uint8_t { kUnspecified = 0, kDelta = 1, kCumulative = 2 };

struct HistogramValue {
  uint64_t count = 0;
  bool has_sum = false, has_min = false, has_max = false;
  double sum = 0, min = 0, max = 0;
  std::vector<double> explicit_bounds;
  std::vector<uint64_t> bucket_counts;  // explicit_bounds.size() + 1 entries
  bool operator==(const HistogramValue&) const = default;
};

struct ExponentialHistogramValue {
  uint64_t count = 0;
  bool has_sum = false, has_min = false, has_max = false;
  double sum = 0, min = 0, max = 0;
  int32_t scale = 0;
  uint64_t zero_count = 0;
  double zero_threshold = 0;
  int32_t positive_offset = 0;
  std::vector<uint64_t> positive_bucket_counts;
  int32_t negative_offset = 0;
  std::vector<uint64_t> negative_bucket_counts;
  bool operator==(const ExponentialHistogramValue&) const = default;
};

struct SummaryValue {
  struct Quantile {
    double quantile = 0;
    double value = 0;
    bool operator==(const Quantile&) const = default;
  };
  uint64_t count = 0;
  double sum = 0;
  std::vector<Quantile> quantiles;
  bool operator==(const SummaryValue&) const = default;
};

// One data point of a metric. Gauges and sums use `value` (integers are
// converted to double; is_int records that the sender used as_int); the other
// types use the matching alternative of `distribution`.
struct MetricPoint {
  uint64_t start_time_unix_nano = 0;
  uint64_t time_unix_nano = 0;
  Attributes attributes;
  uint32_t flags = 0;
  double value = 0;
  bool is_int = false;
  std::variant<std::monostate, HistogramValue, ExponentialHistogramValue, SummaryValue> distribution;
  bool operator==(const MetricPoint&) const = default;
};

struct Metric {
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;
  std::string name;
  std::string description;
  std::string unit;
  MetricType type = MetricType::kGauge;
  Temporality temporality = Temporality::kUnspecified;  // sums, histograms
  bool monotonic = false;                               // sums only
  std::vector<MetricPoint> points;
  bool operator==(const Metric&) const = default;
};

struct LogRecord {
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  uint8_t severity_number = 0;  // 0 (unspecified) .. 24 (FATAL4)
  std::string severity_text;
  AnyValue body;
  Attributes attributes;
  uint32_t flags = 0;
  TraceId trace_id{};  // all zero when absent
  SpanId span_id{};    // all zero when absent
  std::string event_name;
  bool operator==(const LogRecord&) const = default;
};

// The unit of hand-off between stages: one export request's worth of
// telemetry (or a query's answer). Items point into `resources` and `scopes`
// by index.
struct Batch {
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<Span> spans;
  std::vector<Metric> metrics;
  std::vector<LogRecord> logs;

  size_t PointCount() const;
  // The service name of resources[resource_index]: "unknown_service" when
  // the index is out of range or the name is empty.
  const std::string& ServiceOf(uint32_t resource_index) const;
  // Spans + metric points + log records.
  size_t ItemCount() const { return spans.size() + PointCount() + logs.size(); }
};

// The lowest and highest event timestamps of a batch's items (0, 0 when it has none).
struct TimeRange {
  uint64_t min = 0;
  uint64_t max = 0;
};

const char* SpanKindName(SpanKind kind);      // "SERVER", ...
const char* StatusCodeName(StatusCode code);  // "UNSET", "OK", "ERROR"
const char* MetricTypeName(MetricType type);  // "gauge", "sum", "histogram", "exponential_histogram", "summary"
const char* TemporalityName(Temporality t);   // "unspecified", "delta", "cumulative"
// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" by range; "" for 0.
const char* SeverityName(uint8_t severity_number);
// Inverse of SeverityName for query filters: "warn" → 13 (the lowest number of that range).
int SeverityFromName(std::string_view name);

}  // namespace augur::model
