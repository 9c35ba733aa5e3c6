// JSON views of the model (see json.h).
//
// Choices json.h leaves open:
// - Objects are nlohmann::json objects, so keys come out sorted and a
//   duplicate key keeps its first value; a round trip returns attributes in
//   key order. OTLP attributes are a map, so nothing is lost but the order.
// - Reading back is ambiguous in two corners, resolved in favour of what
//   ToJson writes: an object whose only member is "bytes" holding valid
//   base64 reads as bytes, and the strings "NaN", "Infinity", "-Infinity"
//   read as doubles.
// - A timestamp of 0 ("not set") is shown as "", like an absent id.
// - ResourceToJson gives {"attributes": {...}}, the shape of one resource in
//   GET /api/v1/services (the API adds first/last seen); records carry their
//   resource as the bare attributes object, as docs/api.md shows.
#include "model/json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "common/hex.h"
#include "common/time_format.h"

namespace augur::model {
namespace {

using nlohmann::json;

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(const Bytes& in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    out += kBase64Alphabet[n >> 18];
    out += kBase64Alphabet[n >> 12 & 63];
    out += kBase64Alphabet[n >> 6 & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint32_t{in[i]} << 16;
    out += kBase64Alphabet[n >> 18];
    out += kBase64Alphabet[n >> 12 & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8;
    out += kBase64Alphabet[n >> 18];
    out += kBase64Alphabet[n >> 12 & 63];
    out += kBase64Alphabet[n >> 6 & 63];
    out += '=';
  }
  return out;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard alphabet; padding is optional (some producers drop it).
std::optional<Bytes> Base64Decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  Bytes out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int d = Base64Digit(c);
    if (d < 0) return std::nullopt;
    acc = acc << 6 | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

json DoubleToJson(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

std::optional<double> NonFiniteFromString(std::string_view s) {
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

std::string TimeToJson(uint64_t unix_nano) {
  return unix_nano == 0 ? std::string() : FormatRfc3339(unix_nano);
}

template <size_t N>
std::string IdToJson(const std::array<uint8_t, N>& id) {
  return IsZero(id) ? std::string() : HexEncode(id);
}

// An item's resource and scope; an index out of range (a bug upstream) gives
// empty ones rather than a crash.
const Resource& ResourceOf(const Batch& batch, uint32_t index) {
  static const Resource kEmpty;
  return index < batch.resources.size() ? batch.resources[index] : kEmpty;
}

json ScopeToJson(const Batch& batch, uint32_t index) {
  if (index >= batch.scopes.size()) return {{"name", ""}, {"version", ""}};
  const Scope& scope = batch.scopes[index];
  return {{"name", scope.name}, {"version", scope.version}};
}

json HistogramToJson(const HistogramValue& h) {
  json out = {{"count", h.count}, {"explicit_bounds", json::array()}, {"bucket_counts", h.bucket_counts}};
  if (h.has_sum) out["sum"] = DoubleToJson(h.sum);
  if (h.has_min) out["min"] = DoubleToJson(h.min);
  if (h.has_max) out["max"] = DoubleToJson(h.max);
  for (double b : h.explicit_bounds) out["explicit_bounds"].push_back(DoubleToJson(b));
  return out;
}

json ExponentialHistogramToJson(const ExponentialHistogramValue& h) {
  json out = {{"count", h.count},
              {"scale", h.scale},
              {"zero_count", h.zero_count},
              {"zero_threshold", DoubleToJson(h.zero_threshold)},
              {"positive", {{"offset", h.positive_offset}, {"bucket_counts", h.positive_bucket_counts}}},
              {"negative", {{"offset", h.negative_offset}, {"bucket_counts", h.negative_bucket_counts}}}};
  if (h.has_sum) out["sum"] = DoubleToJson(h.sum);
  if (h.has_min) out["min"] = DoubleToJson(h.min);
  if (h.has_max) out["max"] = DoubleToJson(h.max);
  return out;
}

json SummaryToJson(const SummaryValue& s) {
  json quantiles = json::array();
  for (const auto& q : s.quantiles) {
    quantiles.push_back({{"quantile", DoubleToJson(q.quantile)}, {"value", DoubleToJson(q.value)}});
  }
  return {{"count", s.count}, {"sum", DoubleToJson(s.sum)}, {"quantiles", std::move(quantiles)}};
}

}  // namespace

json ToJson(const AnyValue& value) {
  struct Visitor {
    json operator()(std::monostate) const { return nullptr; }
    json operator()(const std::string& s) const { return s; }
    json operator()(bool b) const { return b; }
    json operator()(int64_t i) const { return i; }
    json operator()(double d) const { return DoubleToJson(d); }
    json operator()(const Bytes& b) const { return {{"bytes", Base64Encode(b)}}; }
    json operator()(const ArrayValue& a) const {
      json out = json::array();
      for (const auto& v : a) out.push_back(ToJson(v));
      return out;
    }
    json operator()(const Attributes& kvs) const { return ToJson(kvs); }
  };
  return std::visit(Visitor{}, value.value);
}

json ToJson(const Attributes& attributes) {
  json out = json::object();
  for (const auto& kv : attributes) out.emplace(kv.key, ToJson(kv.value));
  return out;
}

AnyValue AnyValueFromJson(const json& j) {
  switch (j.type()) {
    case json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (auto d = NonFiniteFromString(s)) return {*d};
      return {s};
    }
    case json::value_t::boolean: return {j.get<bool>()};
    case json::value_t::number_integer: return {j.get<int64_t>()};
    case json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return {static_cast<int64_t>(u)};
      return {static_cast<double>(u)};
    }
    case json::value_t::number_float: return {j.get<double>()};
    case json::value_t::array: {
      ArrayValue out;
      out.reserve(j.size());
      for (const auto& v : j) out.push_back(AnyValueFromJson(v));
      return {std::move(out)};
    }
    case json::value_t::object: {
      if (j.size() == 1) {
        const auto it = j.find("bytes");
        if (it != j.end() && it->is_string()) {
          if (auto bytes = Base64Decode(it->get_ref<const std::string&>())) return {std::move(*bytes)};
        }
      }
      return {AttributesFromJson(j)};
    }
    case json::value_t::binary: {
      const auto& b = j.get_binary();
      return {Bytes(b.begin(), b.end())};
    }
    case json::value_t::null:
    case json::value_t::discarded: break;
  }
  return {};
}

Attributes AttributesFromJson(const json& j) {
  Attributes out;
  if (!j.is_object()) return out;
  out.reserve(j.size());
  for (const auto& [key, value] : j.items()) out.push_back({key, AnyValueFromJson(value)});
  return out;
}

json SpanToJson(const Batch& batch, const Span& span) {
  const Resource& resource = ResourceOf(batch, span.resource_index);
  json events = json::array();
  for (const auto& e : span.events) {
    events.push_back({{"time", TimeToJson(e.time_unix_nano)}, {"name", e.name}, {"attributes", ToJson(e.attributes)}});
  }
  json links = json::array();
  for (const auto& l : span.links) {
    links.push_back({{"trace_id", IdToJson(l.trace_id)},
                     {"span_id", IdToJson(l.span_id)},
                     {"trace_state", l.trace_state},
                     {"attributes", ToJson(l.attributes)}});
  }
  const double duration_ms = span.end_time_unix_nano > span.start_time_unix_nano && span.start_time_unix_nano != 0
                                 ? static_cast<double>(span.end_time_unix_nano - span.start_time_unix_nano) / 1e6
                                 : 0.0;
  return {{"trace_id", IdToJson(span.trace_id)},
          {"span_id", IdToJson(span.span_id)},
          {"parent_span_id", IdToJson(span.parent_span_id)},
          {"trace_state", span.trace_state},
          {"flags", span.flags},
          {"name", span.name},
          {"kind", SpanKindName(span.kind)},
          {"service", resource.service_name},
          {"start_time", TimeToJson(span.start_time_unix_nano)},
          {"end_time", TimeToJson(span.end_time_unix_nano)},
          {"duration_ms", duration_ms},
          {"attributes", ToJson(span.attributes)},
          {"status", {{"code", StatusCodeName(span.status_code)}, {"message", span.status_message}}},
          {"events", std::move(events)},
          {"links", std::move(links)},
          {"scope", ScopeToJson(batch, span.scope_index)},
          {"resource", ToJson(resource.attributes)}};
}

json LogToJson(const Batch& batch, const LogRecord& log) {
  const Resource& resource = ResourceOf(batch, log.resource_index);
  return {{"time", TimeToJson(log.time_unix_nano)},
          {"observed_time", TimeToJson(log.observed_time_unix_nano)},
          {"service", resource.service_name},
          {"severity_number", log.severity_number},
          {"severity_text", log.severity_text},
          {"severity", SeverityName(log.severity_number)},
          {"body", ToJson(log.body)},
          {"attributes", ToJson(log.attributes)},
          {"trace_id", IdToJson(log.trace_id)},
          {"span_id", IdToJson(log.span_id)},
          {"flags", log.flags},
          {"event_name", log.event_name},
          {"scope", ScopeToJson(batch, log.scope_index)},
          {"resource", ToJson(resource.attributes)}};
}

json MetricPointToJson(const Batch& batch, const Metric& metric, const MetricPoint& point) {
  const Resource& resource = ResourceOf(batch, metric.resource_index);
  json out = {{"service", resource.service_name},
              {"name", metric.name},
              {"description", metric.description},
              {"unit", metric.unit},
              {"type", MetricTypeName(metric.type)},
              {"temporality", TemporalityName(metric.temporality)},
              {"monotonic", metric.monotonic},
              {"start_time", TimeToJson(point.start_time_unix_nano)},
              {"time", TimeToJson(point.time_unix_nano)},
              {"attributes", ToJson(point.attributes)},
              {"flags", point.flags},
              {"scope", ScopeToJson(batch, metric.scope_index)},
              {"resource", ToJson(resource.attributes)}};
  if (const auto* h = std::get_if<HistogramValue>(&point.distribution)) {
    out["histogram"] = HistogramToJson(*h);
  } else if (const auto* e = std::get_if<ExponentialHistogramValue>(&point.distribution)) {
    out["exponential_histogram"] = ExponentialHistogramToJson(*e);
  } else if (const auto* s = std::get_if<SummaryValue>(&point.distribution)) {
    out["summary"] = SummaryToJson(*s);
  } else if (point.is_int && std::abs(point.value) < 9.2e18) {  // fits int64 exactly
    out["value"] = static_cast<int64_t>(point.value);
  } else {
    out["value"] = DoubleToJson(point.value);
  }
  return out;
}

json ResourceToJson(const Resource& resource) {
  return {{"attributes", ToJson(resource.attributes)}};
}

json AnomalyToJson(const Anomaly& a) {
  json attributes = json::object();
  for (const auto& [key, value] : a.series.attributes) attributes.emplace(key, value);
  json out = {{"id", a.id},
              {"series",
               {{"metric", a.series.metric},
                {"service", a.series.service},
                {"operation", a.series.operation},
                {"attributes", std::move(attributes)}}},
              {"kind", a.kind},
              {"direction", a.direction},
              {"quantity", a.quantity},
              {"unit", a.unit},
              {"detector", a.detector},
              {"status", a.ongoing() ? "ongoing" : "closed"},
              {"onset_time", TimeToJson(a.onset_ns)},
              {"detected_time", TimeToJson(a.detected_ns)},
              {"end_time", a.ongoing() ? json(nullptr) : json(FormatRfc3339(a.end_ns))},
              {"updated_time", TimeToJson(a.updated_ns)},
              {"values",
               {{"before", DoubleToJson(a.before)},
                {"observed", DoubleToJson(a.observed)},
                {"expected_low", DoubleToJson(a.expected_low)},
                {"expected_high", DoubleToJson(a.expected_high)}}},
              {"score", DoubleToJson(a.score)},
              {"explanation", a.explanation}};
  if (a.kind == "forecast") {
    out["forecast"] = {{"limit", DoubleToJson(a.limit)}, {"predicted_time", TimeToJson(a.predicted_ns)}};
  }
  return out;
}

json ChangeEventToJson(const ChangeEvent& e) {
  json changes = json::array();
  for (const auto& c : e.changes) changes.push_back({{"key", c.key}, {"old", c.old_value}, {"new", c.new_value}});
  return {{"id", e.id},
          {"type", ChangeTypeName(e.type)},
          {"service", e.service},
          {"time", TimeToJson(e.time_ns)},
          {"version", e.version},
          {"previous_version", e.previous_version},
          {"source", e.source},
          {"sources", e.sources},
          {"description", e.description},
          {"changes", std::move(changes)}};
}

StatusOr<ChangeEvent> ChangeEventFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an event must be a JSON object");
  ChangeEvent e;
  // An optional string member: absent or null leave `*out` empty.
  const auto read_string = [](const json& object, const char* key, size_t max, std::string* out) -> Status {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return Status::OK();
    if (!it->is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max) {
      return Status::InvalidArgument(std::string(key) + " is longer than " + std::to_string(max) + " bytes");
    }
    *out = s;
    return Status::OK();
  };
  if (Status s = read_string(j, "id", kMaxEventId, &e.id); !s.ok()) return s;
  std::string type;
  if (Status s = read_string(j, "type", kMaxEventText, &type); !s.ok()) return s;
  if (!type.empty() && !ParseChangeType(type, &e.type)) {
    return Status::InvalidArgument(
        "type must be DEPLOYMENT, CONFIG_CHANGE, INFRASTRUCTURE, SECURITY_CHANGE or SCHEMA_CHANGE, got '" + type + "'");
  }
  if (Status s = read_string(j, "service", kMaxEventText, &e.service); !s.ok()) return s;
  if (e.service.empty()) return Status::InvalidArgument("service is required");
  if (const auto it = j.find("time"); it != j.end() && !it->is_null()) {
    std::string text;
    if (it->is_string()) {
      text = it->get<std::string>();
    } else if (it->is_number_unsigned()) {
      text = std::to_string(it->get<uint64_t>());
    } else {
      return Status::InvalidArgument("time must be an RFC 3339 string or a non-negative integer Unix time");
    }
    auto t = ParseTimestamp(text);
    if (!t.ok()) return Status::InvalidArgument("time: " + t.status().message());
    e.time_ns = *t;
  }
  if (Status s = read_string(j, "version", kMaxEventText, &e.version); !s.ok()) return s;
  if (Status s = read_string(j, "previous_version", kMaxEventText, &e.previous_version); !s.ok()) return s;
  if (Status s = read_string(j, "source", kMaxEventText, &e.source); !s.ok()) return s;
  if (Status s = read_string(j, "description", kMaxEventText, &e.description); !s.ok()) return s;
  if (const auto it = j.find("sources"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("sources must be an array of strings");
    if (it->size() > kMaxEventSources) {
      return Status::InvalidArgument("sources has more than " + std::to_string(kMaxEventSources) + " entries");
    }
    for (const auto& source : *it) {
      if (!source.is_string() || source.get_ref<const std::string&>().size() > kMaxEventText) {
        return Status::InvalidArgument("sources must be an array of strings");
      }
      e.sources.push_back(source.get<std::string>());
    }
  }
  if (const auto it = j.find("changes"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("changes must be an array of {key, old, new} objects");
    if (it->size() > kMaxEventChanges) {
      return Status::InvalidArgument("changes has more than " + std::to_string(kMaxEventChanges) + " entries");
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& c = (*it)[i];
      const std::string where = "changes[" + std::to_string(i) + "]";
      if (!c.is_object()) return Status::InvalidArgument(where + " must be an object {key, old, new}");
      ConfigChange change;
      Status s = read_string(c, "key", kMaxEventText, &change.key);
      if (s.ok()) s = read_string(c, "old", kMaxEventText, &change.old_value);
      if (s.ok()) s = read_string(c, "new", kMaxEventText, &change.new_value);
      if (!s.ok()) return Status::InvalidArgument(where + "." + s.message());
      if (change.key.empty()) return Status::InvalidArgument(where + ".key is required");
      e.changes.push_back(std::move(change));
    }
  }
  return e;
}

}  // namespace augur::model
