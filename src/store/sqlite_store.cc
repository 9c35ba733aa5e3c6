// Store::Open and the SQLite-backed Store: the write connection with its
// Writer and Retention, the second write connection for analysis results,
// insights, feedback and events (AnalysisWriter), one for the notification
// outbox, and a pool of read connections for the queries.
#include <atomic>
#include <filesystem>
#include <system_error>

#include "store/analysis_writer.h"
#include "store/outbox.h"
#include "store/reader_pool.h"
#include "store/retention.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/writer.h"

namespace augur::store {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(Db db, std::string path) : db_(std::move(db)), path_(path), readers_(std::move(path)) {}

  // The writer and retention keep a pointer to db_, so they are made once it
  // has its final address.
  Status Init(const StoreOptions& options) {
    auto writer = Writer::Create(&db_);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(*writer);
    auto retention = Retention::Create(&db_, options.max_age_seconds, options.max_bytes);
    if (!retention.ok()) return retention.status();
    retention_ = std::move(*retention);
    auto analysis = AnalysisWriter::Open(path_);
    if (!analysis.ok()) return analysis.status();
    analysis_ = std::move(*analysis);
    auto outbox = Outbox::Open(path_);
    if (!outbox.ok()) return outbox.status();
    outbox_ = std::move(*outbox);
    return Status::OK();
  }

  Status Write(const std::vector<const model::Batch*>& batches) override { return writer_->Write(batches); }

  Status EnforceRetention(uint64_t now_unix_nano) override {
    auto result = retention_->Enforce(now_unix_nano);
    if (!result.ok()) return result.status();
    retention_deleted_.fetch_add(result->deleted_rows, std::memory_order_relaxed);
    if (result->deleted_unused) writer_->ClearCaches();
    return Status::OK();
  }

  StatusOr<std::vector<ServiceInfo>> ListServices() override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->ListServices();
  }

  StatusOr<model::Batch> GetTrace(const model::TraceId& trace_id) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->GetTrace(trace_id);
  }

  StatusOr<model::Batch> QuerySpans(const SpanQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->QuerySpans(query);
  }

  StatusOr<model::Batch> QueryLogs(const LogQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->QueryLogs(query);
  }

  StatusOr<model::Batch> QueryMetricPoints(const MetricQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->QueryMetricPoints(query);
  }

  // Zero counts when the database cannot be read (the header promises no error).
  StoreStats Stats() override {
    StoreStats stats;
    if (auto reader = readers_.Acquire(); reader.ok()) {
      if (auto read = (*reader)->Stats(); read.ok()) stats = *read;
    }
    stats.retention_deleted = retention_deleted_.load(std::memory_order_relaxed);
    return stats;
  }

  Status PutAnomalies(const std::vector<model::Anomaly>& anomalies) override {
    return analysis_->PutAnomalies(anomalies);
  }

  StatusOr<std::vector<model::Anomaly>> QueryAnomalies(const AnomalyQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->QueryAnomalies(query);
  }

  StatusOr<model::Anomaly> GetAnomaly(const std::string& id) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->GetAnomaly(id);
  }

  Status PutInsights(const std::vector<model::Insight>& insights) override { return analysis_->PutInsights(insights); }

  StatusOr<std::vector<model::Insight>> QueryInsights(const InsightQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->QueryInsights(query);
  }

  StatusOr<model::Insight> GetInsight(const std::string& id) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->GetInsight(id);
  }

  StatusOr<model::Insight> PutFeedback(const std::string& insight_id, const std::string& feedback,
                                       uint64_t now_unix_nano) override {
    return analysis_->PutFeedback(insight_id, feedback, now_unix_nano);
  }

  StatusOr<std::vector<FeedbackRecord>> ListFeedback(const FeedbackQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->ListFeedback(query);
  }

  StatusOr<model::ChangeEvent> PutEvent(const model::ChangeEvent& event) override { return analysis_->PutEvent(event); }

  StatusOr<std::vector<model::ChangeEvent>> QueryEvents(const EventQuery& query) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->QueryEvents(query);
  }

  StatusOr<model::ChangeEvent> GetEvent(const std::string& id) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->GetEvent(id);
  }

  Status PutState(const std::string& name, const std::string& bytes) override {
    return analysis_->PutState(name, bytes);
  }

  StatusOr<std::string> GetState(const std::string& name) override {
    auto reader = readers_.Acquire();
    if (!reader.ok()) return reader.status();
    return (*reader)->GetState(name);
  }

  Outbox* outbox() override { return outbox_.get(); }

 private:
  // Declared first so it closes last, after the statements that use it.
  Db db_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Retention> retention_;
  const std::string path_;
  std::unique_ptr<AnalysisWriter> analysis_;
  std::unique_ptr<Outbox> outbox_;
  ReaderPool readers_;
  std::atomic<uint64_t> retention_deleted_{0};
};

}  // namespace

StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::IOError("create data directory " + options.data_dir + ": " + ec.message());
  const std::string path = (std::filesystem::path(options.data_dir) / "augur.db").string();
  auto db = OpenWriteConnection(path);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteStore>(std::move(*db), path);
  if (Status s = store->Init(options); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace augur::store
