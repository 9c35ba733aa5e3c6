#include "otlp/time_guard.h"

#include <gtest/gtest.h>

namespace augur::otlp {
namespace {

constexpr uint64_t kLimit = 2'000'000'000'000'000'000;  // 2033

TEST(TimeGuard, RemovesOnlyItemsAfterTheLimitAndSaysWhy) {
  DecodeResult r;
  r.batch.resources.push_back({});
  model::Span ok, late;
  ok.start_time_unix_nano = kLimit - 10;
  ok.end_time_unix_nano = kLimit;  // at the limit: kept
  late.start_time_unix_nano = kLimit;
  late.end_time_unix_nano = kLimit + 1;
  r.batch.spans = {ok, late, ok};
  model::Metric m;
  m.points.resize(2);
  m.points[0].time_unix_nano = kLimit + 5;
  m.points[1].time_unix_nano = kLimit + 6;
  r.batch.metrics.push_back(m);  // all points future: the metric goes
  model::LogRecord observed_only;
  observed_only.observed_time_unix_nano = kLimit + 1;
  model::LogRecord fine;
  fine.time_unix_nano = 1;
  r.batch.logs = {observed_only, fine};
  r.rejected = 2;
  r.error_message = "earlier problem";

  EXPECT_EQ(RejectFutureItems(&r, kLimit), 4);
  EXPECT_EQ(r.batch.spans.size(), 2u);
  EXPECT_TRUE(r.batch.metrics.empty());
  ASSERT_EQ(r.batch.logs.size(), 1u);
  EXPECT_EQ(r.batch.logs[0].time_unix_nano, 1u);
  EXPECT_EQ(r.rejected, 6);
  EXPECT_NE(r.error_message.find("earlier problem; 4 item(s) stamped after 2033-05-18T03:33:20Z"), std::string::npos)
      << r.error_message;
}

TEST(TimeGuard, NothingFutureChangesNothing) {
  DecodeResult r;
  model::Span s;
  s.end_time_unix_nano = 5;
  r.batch.spans = {s};
  EXPECT_EQ(RejectFutureItems(&r, kLimit), 0);
  EXPECT_EQ(r.batch.spans.size(), 1u);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_TRUE(r.error_message.empty());
}

}  // namespace
}  // namespace augur::otlp
