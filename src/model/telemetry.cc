#include "model/telemetry.h"

#include <algorithm>
#include <cctype>

namespace augur::model {

const AnyValue* FindAttribute(const Attributes& attributes, std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

std::string_view StringAttribute(const Attributes& attributes, std::string_view key) {
  const AnyValue* v = FindAttribute(attributes, key);
  if (v == nullptr) return {};
  if (const auto* s = std::get_if<std::string>(&v->value)) return *s;
  return {};
}

const std::string& Batch::ServiceOf(uint32_t resource_index) const {
  static const std::string kUnknown = "unknown_service";
  if (resource_index < resources.size() && !resources[resource_index].service_name.empty()) {
    return resources[resource_index].service_name;
  }
  return kUnknown;
}

size_t Batch::PointCount() const {
  size_t n = 0;
  for (const auto& m : metrics) n += m.points.size();
  return n;
}

const char* SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kUnspecified: return "UNSPECIFIED";
    case SpanKind::kInternal: return "INTERNAL";
    case SpanKind::kServer: return "SERVER";
    case SpanKind::kClient: return "CLIENT";
    case SpanKind::kProducer: return "PRODUCER";
    case SpanKind::kConsumer: return "CONSUMER";
  }
  return "UNSPECIFIED";
}

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kUnset: return "UNSET";
    case StatusCode::kOk: return "OK";
    case StatusCode::kError: return "ERROR";
  }
  return "UNSET";
}

const char* MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kGauge: return "gauge";
    case MetricType::kSum: return "sum";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kExponentialHistogram: return "exponential_histogram";
    case MetricType::kSummary: return "summary";
  }
  return "gauge";
}

const char* TemporalityName(Temporality t) {
  switch (t) {
    case Temporality::kUnspecified: return "unspecified";
    case Temporality::kDelta: return "delta";
    case Temporality::kCumulative: return "cumulative";
  }
  return "unspecified";
}

const char* SeverityName(uint8_t n) {
  if (n == 0) return "";
  if (n <= 4) return "TRACE";
  if (n <= 8) return "DEBUG";
  if (n <= 12) return "INFO";
  if (n <= 16) return "WARN";
  if (n <= 20) return "ERROR";
  return "FATAL";
}

int SeverityFromName(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper == "TRACE") return 1;
  if (upper == "DEBUG") return 5;
  if (upper == "INFO") return 9;
  if (upper == "WARN" || upper == "WARNING") return 13;
  if (upper == "ERROR") return 17;
  if (upper == "FATAL") return 21;
  return -1;
}

}  // namespace augur::model
