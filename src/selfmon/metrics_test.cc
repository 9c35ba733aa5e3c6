#include "selfmon/metrics.h"

#include <gtest/gtest.h>

namespace augur::selfmon {
namespace {

TEST(Registry, RendersCountersGaugesAndHistograms) {
  Registry r;
  r.GetCounter("augur_items_received_total", "Items received.", {{"signal", "traces"}, {"protocol", "http"}})
      .Increment(5);
  r.GetGauge("augur_up", "Always 1.").Set(1);
  int depth = 7;
  r.AddCallbackGauge("augur_queue_depth", "Items waiting.", {{"queue", "ingest"}}, [&] { return depth; });
  Histogram& h = r.GetHistogram("augur_latency_seconds", "Latency.", {{"route", "/v1/traces"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);

  const std::string text = r.RenderText();
  EXPECT_NE(text.find("# TYPE augur_items_received_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("augur_items_received_total{signal=\"traces\",protocol=\"http\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("augur_up 1\n"), std::string::npos);
  EXPECT_NE(text.find("augur_queue_depth{queue=\"ingest\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("augur_latency_seconds_bucket{route=\"/v1/traces\",le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("augur_latency_seconds_bucket{route=\"/v1/traces\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("augur_latency_seconds_count{route=\"/v1/traces\"} 3\n"), std::string::npos);
}

TEST(Registry, CallbackCountersAreReadAtRenderTime) {
  Registry r;
  uint64_t overflow = 3;
  r.AddCallbackCounter("augur_table_overflow_total", "Refused.", {}, [&] { return overflow; });
  EXPECT_NE(r.RenderText().find("# TYPE augur_table_overflow_total counter\naugur_table_overflow_total 3\n"),
            std::string::npos)
      << r.RenderText();
  overflow = 12345678901234;  // read again, and rendered as an integer
  EXPECT_NE(r.RenderText().find("augur_table_overflow_total 12345678901234\n"), std::string::npos);
}

TEST(Registry, SameNameAndLabelsIsTheSameChild) {
  Registry r;
  r.GetCounter("c", "h", {{"a", "1"}}).Increment();
  r.GetCounter("c", "h", {{"a", "1"}}).Increment();
  EXPECT_EQ(r.GetCounter("c", "h", {{"a", "1"}}).value(), 2u);
  EXPECT_EQ(r.GetCounter("c", "h", {{"a", "2"}}).value(), 0u);
}

}  // namespace
}  // namespace augur::selfmon
