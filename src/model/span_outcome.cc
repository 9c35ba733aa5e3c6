#include "model/span_outcome.h"

#include <charconv>
#include <string>
#include <string_view>
#include <variant>

namespace augur::model {

int64_t HttpStatusCode(const Attributes& attributes) {
  for (std::string_view key : {"http.response.status_code", "http.status_code"}) {
    const AnyValue* v = FindAttribute(attributes, key);
    if (v == nullptr) continue;
    if (const auto* i = std::get_if<int64_t>(&v->value)) return *i;
    if (const auto* s = std::get_if<std::string>(&v->value)) {
      int64_t code = 0;
      auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), code);
      if (ec == std::errc() && ptr == s->data() + s->size()) return code;
    }
  }
  return 0;
}

bool IsFailedSpan(const Span& span) {
  return span.status_code == StatusCode::kError ||
         (span.kind == SpanKind::kServer && HttpStatusCode(span.attributes) >= 500);
}

}  // namespace augur::model
