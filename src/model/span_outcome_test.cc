#include "model/span_outcome.h"

#include <gtest/gtest.h>

namespace augur::model {
namespace {

Span WithStatus(SpanKind kind, AnyValue code, std::string key = "http.response.status_code") {
  Span s;
  s.kind = kind;
  s.attributes.emplace_back(std::move(key), std::move(code));
  return s;
}

TEST(SpanOutcomeTest, HttpStatusFromEitherKeyAsIntOrNumericString) {
  EXPECT_EQ(HttpStatusCode(WithStatus(SpanKind::kServer, {int64_t{503}}).attributes), 503);
  EXPECT_EQ(HttpStatusCode(WithStatus(SpanKind::kServer, {std::string("404")}).attributes), 404);
  EXPECT_EQ(HttpStatusCode(WithStatus(SpanKind::kServer, {int64_t{500}}, "http.status_code").attributes), 500);
  EXPECT_EQ(HttpStatusCode(WithStatus(SpanKind::kServer, {std::string("50x")}).attributes), 0);
  EXPECT_EQ(HttpStatusCode(Span{}.attributes), 0);
}

TEST(SpanOutcomeTest, FailedIsStatusErrorOrAServer5xx) {
  Span ok;
  EXPECT_FALSE(IsFailedSpan(ok));
  Span error;
  error.status_code = StatusCode::kError;
  EXPECT_TRUE(IsFailedSpan(error));
  EXPECT_TRUE(IsFailedSpan(WithStatus(SpanKind::kServer, {int64_t{502}})));
  EXPECT_FALSE(IsFailedSpan(WithStatus(SpanKind::kServer, {int64_t{404}})));
  // A client that got a 5xx did its job; the server it called failed.
  EXPECT_FALSE(IsFailedSpan(WithStatus(SpanKind::kClient, {int64_t{502}})));
}

}  // namespace
}  // namespace augur::model
