#include "otlp/decode_common.h"

#include <variant>

namespace augur::otlp::internal {
namespace {

// How many problems the error message names; the count covers all of them.
constexpr int kMaxNamedProblems = 5;

bool IsAllZero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

std::string WrongLength(const char* field, size_t got, const char* want) {
  return std::string(field) + " has " + std::to_string(got) + " bytes, want " + want;
}

}  // namespace

std::string Position::ToString() const {
  std::string s = std::string(fields->resources) + "[" + std::to_string(resource) + "]";
  if (scope < 0) return s + ".resource";
  s += std::string(".") + fields->scopes + "[" + std::to_string(scope) + "]";
  if (item < 0) return s + ".scope";
  s += std::string(".") + fields->items + "[" + std::to_string(item) + "]";
  if (point >= 0) s += ".data_points[" + std::to_string(point) + "]";
  return s;
}

void Rejections::Add(int64_t count, const Position& where, std::string_view problem) {
  if (count <= 0) return;
  count_ += count;
  if (++problems_ > kMaxNamedProblems) return;
  if (!details_.empty()) details_ += "; ";
  details_ += where.ToString();
  details_ += ": ";
  details_ += problem;
}

void Rejections::Finish(DecodeResult* result) const {
  result->rejected = count_;
  if (count_ == 0) return;
  result->error_message =
      "rejected " + std::to_string(count_) + " " + (count_ == 1 ? singular_ : plural_) + ": " + details_;
  if (problems_ > kMaxNamedProblems) result->error_message += "; ...";
}

std::string SpanProblem(std::string_view trace_id, std::string_view span_id, std::string_view parent_span_id,
                        uint64_t start_time_unix_nano, uint64_t end_time_unix_nano) {
  if (trace_id.size() != 16) return WrongLength("trace_id", trace_id.size(), "16");
  if (IsAllZero(trace_id)) return "trace_id is all zero";
  if (span_id.size() != 8) return WrongLength("span_id", span_id.size(), "8");
  if (IsAllZero(span_id)) return "span_id is all zero";
  if (!parent_span_id.empty() && parent_span_id.size() != 8) {
    return WrongLength("parent_span_id", parent_span_id.size(), "0 or 8");
  }
  if (start_time_unix_nano == 0) return "start_time_unix_nano is 0";
  if (end_time_unix_nano < start_time_unix_nano) return "end_time_unix_nano is before start";
  return {};
}

model::SpanKind ToSpanKind(int kind) {
  return kind >= 0 && kind <= 5 ? static_cast<model::SpanKind>(kind) : model::SpanKind::kUnspecified;
}

model::StatusCode ToStatusCode(int code) {
  return code >= 0 && code <= 2 ? static_cast<model::StatusCode>(code) : model::StatusCode::kUnset;
}

bool WithinNesting(const model::AnyValue& value, int nesting) {
  if (const auto* array = std::get_if<model::ArrayValue>(&value.value)) {
    if (nesting >= kMaxValueNesting) return false;
    for (const auto& v : *array) {
      if (!WithinNesting(v, nesting + 1)) return false;
    }
  } else if (const auto* kvs = std::get_if<model::Attributes>(&value.value)) {
    if (nesting >= kMaxValueNesting) return false;
    for (const auto& kv : *kvs) {
      if (!WithinNesting(kv.value, nesting + 1)) return false;
    }
  }
  return true;
}

}  // namespace augur::otlp::internal
