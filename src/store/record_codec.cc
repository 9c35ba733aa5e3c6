#include "store/record_codec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "model/json.h"

namespace augur::store {
namespace {

using nlohmann::json;

void Dump(const json& j, std::string* out) {
  *out = j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json Parse(std::string_view text) {
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// Doubles as in model/json.h: non-finite ones as strings.
json Num(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

double NumOf(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// Reads a field of type T, or T{} when it is missing or of another kind.
template <typename T>
T Get(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return T{};
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->get<std::string>() : T{};
  } else if constexpr (std::is_same_v<T, double>) {
    return NumOf(*it);
  } else if constexpr (std::is_same_v<T, bool>) {
    return it->is_boolean() ? it->get<bool>() : false;
  } else if constexpr (std::is_integral_v<T>) {
    return it->is_number_integer() ? it->get<T>() : T{};
  } else {  // vectors
    return it->is_array() ? it->get<T>() : T{};
  }
}

std::vector<double> DoublesOf(const json& j, const char* key) {
  std::vector<double> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) out.push_back(NumOf(v));
  return out;
}

json DoublesToJson(const std::vector<double>& values) {
  json out = json::array();
  for (double v : values) out.push_back(Num(v));
  return out;
}

// Optional min/max/sum: present in the JSON only when the model has them.
void PutOptional(json& j, const char* key, bool has, double v) {
  if (has) j[key] = Num(v);
}
void GetOptional(const json& j, const char* key, bool* has, double* v) {
  *has = j.contains(key);
  *v = *has ? Get<double>(j, key) : 0;
}

// A direct JSON writer for attribute values: the same JSON as model::ToJson
// gives (json.h), without building a document first, which made encoding
// the largest cost of a write. Keys keep their order (they are read back
// sorted anyway).

// The length of the valid UTF-8 sequence at s[i] (a non-ASCII byte), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto at = [&](size_t k) -> unsigned { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  const auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xbf) { return at(k) >= lo && at(k) <= hi; };
  const unsigned c = at(0);
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;  // no surrogates
  if (c == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Escapes as JSON requires; invalid UTF-8 becomes U+FFFD, as nlohmann's
// error_handler_t::replace does.
void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size()) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++j;
    }
    out->append(s.data() + i, j - i);
    if (j == s.size()) break;
    i = j;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(s, i);
      if (n == 0) {
        out->append("\xef\xbf\xbd");
        ++i;
      } else {
        out->append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out->append(escaped, sizeof escaped);
      }
    }
    ++i;
  }
  out->push_back('"');
}

template <typename Int>
void AppendInteger(Int v, std::string* out) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out->append(buf, end);
}

void AppendDouble(double d, std::string* out) {
  if (std::isnan(d)) return out->append("\"NaN\""), void();
  if (std::isinf(d)) return out->append(d > 0 ? "\"Infinity\"" : "\"-Infinity\""), void();
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;
  out->append(buf, end);
  // Shortest form of a whole number has no point; JSON readers would take it
  // for an integer.
  if (std::find_if(buf, end, [](char c) { return c == '.' || c == 'e'; }) == end) out->append(".0");
}

void AppendAttributes(const model::Attributes& attributes, std::string* out);

void AppendValue(const model::AnyValue& value, std::string* out) {
  struct Visitor {
    std::string* out;
    void operator()(std::monostate) const { out->append("null"); }
    void operator()(const std::string& s) const { AppendString(s, out); }
    void operator()(bool b) const { out->append(b ? "true" : "false"); }
    void operator()(int64_t i) const { AppendInteger(i, out); }
    void operator()(double d) const { AppendDouble(d, out); }
    // Rare: json.cc owns the {"bytes": "<base64>"} form.
    void operator()(const model::Bytes& b) const { out->append(model::ToJson(model::AnyValue{b}).dump()); }
    void operator()(const model::ArrayValue& a) const {
      out->push_back('[');
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendValue(a[i], out);
      }
      out->push_back(']');
    }
    void operator()(const model::Attributes& kvs) const { AppendAttributes(kvs, out); }
  };
  std::visit(Visitor{out}, value.value);
}

void AppendAttributes(const model::Attributes& attributes, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendString(attributes[i].key, out);
    out->push_back(':');
    AppendValue(attributes[i].value, out);
  }
  out->push_back('}');
}

}  // namespace

void EncodeAttributes(const model::Attributes& attributes, std::string* out) {
  out->clear();
  AppendAttributes(attributes, out);
}

void EncodeValue(const model::AnyValue& value, std::string* out) {
  out->clear();
  AppendValue(value, out);
}

void EncodeDistribution(const model::MetricPoint& point, std::string* out) {
  json j = json::object();
  if (const auto* h = std::get_if<model::HistogramValue>(&point.distribution)) {
    json v = {{"count", h->count},
              {"explicit_bounds", DoublesToJson(h->explicit_bounds)},
              {"bucket_counts", h->bucket_counts}};
    PutOptional(v, "sum", h->has_sum, h->sum);
    PutOptional(v, "min", h->has_min, h->min);
    PutOptional(v, "max", h->has_max, h->max);
    j["histogram"] = std::move(v);
  } else if (const auto* e = std::get_if<model::ExponentialHistogramValue>(&point.distribution)) {
    json v = {{"count", e->count},
              {"scale", e->scale},
              {"zero_count", e->zero_count},
              {"zero_threshold", Num(e->zero_threshold)},
              {"positive_offset", e->positive_offset},
              {"positive_bucket_counts", e->positive_bucket_counts},
              {"negative_offset", e->negative_offset},
              {"negative_bucket_counts", e->negative_bucket_counts}};
    PutOptional(v, "sum", e->has_sum, e->sum);
    PutOptional(v, "min", e->has_min, e->min);
    PutOptional(v, "max", e->has_max, e->max);
    j["exponential_histogram"] = std::move(v);
  } else if (const auto* s = std::get_if<model::SummaryValue>(&point.distribution)) {
    json quantiles = json::array();
    for (const auto& q : s->quantiles) quantiles.push_back({Num(q.quantile), Num(q.value)});
    j["summary"] = {{"count", s->count}, {"sum", Num(s->sum)}, {"quantiles", std::move(quantiles)}};
  }
  Dump(j, out);
}

model::Attributes DecodeAttributes(std::string_view text) {
  return model::AttributesFromJson(Parse(text));
}

model::AnyValue DecodeValue(std::string_view text) {
  return model::AnyValueFromJson(Parse(text));
}

void DecodeDistribution(std::string_view text, model::MetricPoint* point) {
  point->distribution = std::monostate{};
  const json j = Parse(text);
  if (!j.is_object()) return;
  // Get<vector<uint64_t>> converts element by element and throws on a
  // non-number: malformed text must not escape as an exception.
  try {
    if (const auto it = j.find("histogram"); it != j.end() && it->is_object()) {
      model::HistogramValue h;
      h.count = Get<uint64_t>(*it, "count");
      GetOptional(*it, "sum", &h.has_sum, &h.sum);
      GetOptional(*it, "min", &h.has_min, &h.min);
      GetOptional(*it, "max", &h.has_max, &h.max);
      h.explicit_bounds = DoublesOf(*it, "explicit_bounds");
      h.bucket_counts = Get<std::vector<uint64_t>>(*it, "bucket_counts");
      point->distribution = std::move(h);
    } else if (const auto it = j.find("exponential_histogram"); it != j.end() && it->is_object()) {
      model::ExponentialHistogramValue e;
      e.count = Get<uint64_t>(*it, "count");
      GetOptional(*it, "sum", &e.has_sum, &e.sum);
      GetOptional(*it, "min", &e.has_min, &e.min);
      GetOptional(*it, "max", &e.has_max, &e.max);
      e.scale = Get<int32_t>(*it, "scale");
      e.zero_count = Get<uint64_t>(*it, "zero_count");
      e.zero_threshold = Get<double>(*it, "zero_threshold");
      e.positive_offset = Get<int32_t>(*it, "positive_offset");
      e.positive_bucket_counts = Get<std::vector<uint64_t>>(*it, "positive_bucket_counts");
      e.negative_offset = Get<int32_t>(*it, "negative_offset");
      e.negative_bucket_counts = Get<std::vector<uint64_t>>(*it, "negative_bucket_counts");
      point->distribution = std::move(e);
    } else if (const auto it = j.find("summary"); it != j.end() && it->is_object()) {
      model::SummaryValue s;
      s.count = Get<uint64_t>(*it, "count");
      s.sum = Get<double>(*it, "sum");
      if (const auto q = it->find("quantiles"); q != it->end() && q->is_array()) {
        for (const auto& pair : *q) {
          if (pair.is_array() && pair.size() == 2) s.quantiles.push_back({NumOf(pair[0]), NumOf(pair[1])});
        }
      }
      point->distribution = std::move(s);
    }
  } catch (const json::exception&) {
    point->distribution = std::monostate{};
  }
}

}  // namespace augur::store
