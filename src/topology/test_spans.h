// Test helpers: spans written as one line each, turned into model::Batch.
// Times are milliseconds after kT0 (a whole minute, so 5 s buckets align).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/telemetry.h"

namespace augur::topology::testing {

inline constexpr uint64_t kT0 = 1'700'000'040'000'000'000ULL;  // 2023-11-14T22:14:00Z
inline constexpr uint64_t kMs = 1'000'000;

inline uint64_t At(double ms) {
  return kT0 + static_cast<uint64_t>(ms * 1e6);
}

struct TestSpan {
  std::string service;
  uint64_t trace = 0;  // becomes the trace id's last 8 bytes
  uint64_t id = 0;
  uint64_t parent = 0;
  std::string name;
  model::SpanKind kind = model::SpanKind::kInternal;
  double start_ms = 0, end_ms = 0;
  model::Attributes attributes;
  bool error = false;
};

inline model::TraceId TraceIdOf(uint64_t n) {
  model::TraceId id{};
  id[0] = 0xab;
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<uint8_t>(n >> (8 * i));
  return id;
}

inline model::SpanId SpanIdOf(uint64_t n) {
  model::SpanId id{};
  for (int i = 0; i < 8; ++i) id[7 - i] = static_cast<uint8_t>(n >> (8 * i));
  return id;
}

inline model::KeyValue Str(std::string key, std::string value) {
  return {std::move(key), model::AnyValue{std::move(value)}};
}
inline model::KeyValue Int(std::string key, int64_t value) {
  return {std::move(key), model::AnyValue{value}};
}

// One resource per service, in order of first appearance.
inline model::Batch MakeBatch(const std::vector<TestSpan>& spans) {
  model::Batch b;
  b.scopes.push_back({});
  std::map<std::string, uint32_t> resources;
  for (const TestSpan& t : spans) {
    auto [it, added] = resources.emplace(t.service, static_cast<uint32_t>(b.resources.size()));
    if (added) {
      model::Resource r;
      r.service_name = t.service;
      r.attributes.push_back(Str("service.name", t.service));
      b.resources.push_back(std::move(r));
    }
    model::Span s;
    s.resource_index = it->second;
    s.trace_id = TraceIdOf(t.trace);
    s.span_id = SpanIdOf(t.id);
    s.parent_span_id = SpanIdOf(t.parent);
    s.name = t.name;
    s.kind = t.kind;
    s.start_time_unix_nano = At(t.start_ms);
    s.end_time_unix_nano = At(t.end_ms);
    s.attributes = t.attributes;
    if (t.error) s.status_code = model::StatusCode::kError;
    b.spans.push_back(std::move(s));
  }
  return b;
}

}  // namespace augur::topology::testing
