#include "ingest/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

namespace augur::ingest {
namespace {

otlp::DecodeResult SpansBatch(int n, uint8_t seed) {
  otlp::DecodeResult r;
  model::Resource resource;
  resource.service_name = "writer";
  resource.attributes.push_back({"service.name", {std::string("writer")}});
  r.batch.resources.push_back(resource);
  r.batch.scopes.push_back({"test", "1", {}});
  for (int i = 0; i < n; ++i) {
    model::Span s;
    s.trace_id[0] = seed;
    s.trace_id[15] = static_cast<uint8_t>(i + 1);
    s.span_id[0] = seed;
    s.span_id[7] = static_cast<uint8_t>(i + 1);
    s.name = "PUT /items";
    s.start_time_unix_nano = 1'700'000'000'000'000'000ULL + static_cast<uint64_t>(i);
    s.end_time_unix_nano = s.start_time_unix_nano + 1000;
    r.batch.spans.push_back(s);
  }
  return r;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("augur_pipeline_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = store::Store::Open({dir_.string(), 0, 0});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store.value());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  selfmon::Registry metrics_;
};

TEST_F(PipelineTest, AcknowledgesOnlyAfterTheWriteIsDurable) {
  Pipeline pipeline(store_.get(), &metrics_, {});
  pipeline.Start();
  std::promise<Status> written;
  ASSERT_TRUE(pipeline
                  .Submit(otlp::Signal::kTraces, Protocol::kHttp, SpansBatch(3, 1),
                          [&](const Status& s) { written.set_value(s); })
                  .ok());
  ASSERT_TRUE(written.get_future().get().ok());
  auto spans = store_->QuerySpans({});
  ASSERT_TRUE(spans.ok());
  EXPECT_EQ(spans->spans.size(), 3u);
  EXPECT_EQ(metrics_.GetCounter("augur_items_received_total", "", {{"signal", "traces"}, {"protocol", "http"}}).value(),
            3u);
}

TEST_F(PipelineTest, RefusesWhatDoesNotFitAndCountsItAsDropped) {
  PipelineOptions options;
  options.queue_capacity_items = 10;
  Pipeline pipeline(store_.get(), &metrics_, options);  // not started: the queue only fills
  int acknowledged = 0;
  auto count = [&](const Status& s) { acknowledged += s.ok(); };
  ASSERT_TRUE(pipeline.Submit(otlp::Signal::kTraces, Protocol::kGrpc, SpansBatch(8, 1), count).ok());
  const Status full = pipeline.Submit(otlp::Signal::kTraces, Protocol::kGrpc, SpansBatch(5, 2), count);
  EXPECT_EQ(full.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(pipeline.queued_items(), 8u);
  EXPECT_EQ(metrics_.GetCounter("augur_items_dropped_total", "", {{"signal", "traces"}, {"protocol", "grpc"}}).value(),
            5u);
  pipeline.Start();
  pipeline.Stop();  // drains what was accepted
  EXPECT_EQ(acknowledged, 1);
  EXPECT_EQ(store_->QuerySpans({})->spans.size(), 8u);
}

TEST_F(PipelineTest, AcceptsABatchLargerThanTheQueueWhenEmpty) {
  PipelineOptions options;
  options.queue_capacity_items = 4;
  Pipeline pipeline(store_.get(), &metrics_, options);
  EXPECT_TRUE(pipeline.Submit(otlp::Signal::kTraces, Protocol::kHttp, SpansBatch(6, 1), [](const Status&) {}).ok());
}

TEST_F(PipelineTest, RefusesAfterStop) {
  Pipeline pipeline(store_.get(), &metrics_, {});
  pipeline.Start();
  pipeline.Stop();
  EXPECT_EQ(pipeline.Submit(otlp::Signal::kLogs, Protocol::kHttp, SpansBatch(1, 1), [](const Status&) {}).code(),
            Status::Code::kUnavailable);
}

}  // namespace
}  // namespace augur::ingest
