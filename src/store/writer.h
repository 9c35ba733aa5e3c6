// Writer: turns batches into rows, one transaction per Write(). Internal to
// the store; used by the one writer thread.
//
// Resources, scopes and metric streams are deduplicated through the database
// (unique fingerprints) with bounded in-memory caches in front. Each Write()
// updates a resource's first/last seen once, with the event-time range of the
// items it wrote for it.
//
// Spans go into blocks (schema.cc): those of one Write() with the same
// resource and scope, in arrival order, which keeps a trace's spans (which
// SDKs export together) in few blocks. A block is closed at kMaxBlockSpans
// spans, at kMaxBlockBytes of encoded spans (so a GetTrace() reads little
// besides its trace) and before its start times would spread more than
// kMaxBlockStartSpread (schema.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"
#include "store/id_cache.h"
#include "store/span_codec.h"
#include "store/sqlite_util.h"
#include "store/trace_index.h"

namespace augur::store {

class Writer {
 public:
  static constexpr size_t kMaxBlockSpans = 1024;
  static constexpr size_t kMaxBlockBytes = 1 << 20;

  // `db` is the write connection; it must outlive the writer.
  static StatusOr<std::unique_ptr<Writer>> Create(Db* db);

  // All batches in one transaction: all are durable when OK, none otherwise.
  Status Write(const std::vector<const model::Batch*>& batches);

  // Forgets cached row ids (after retention deleted unused rows they name).
  void ClearCaches();

 private:
  // Event-time range of a resource's items; 0, 0 when none had a time.
  struct Seen {
    uint64_t first = 0;
    uint64_t last = 0;
    void Add(uint64_t t);
    void Add(const Seen& other);
  };
  // Row ids of one batch's resources and scopes (0: not looked up yet).
  struct BatchIds {
    std::vector<int64_t> resources;
    std::vector<int64_t> scopes;
    std::vector<Seen> seen;  // by batch resource index
  };
  // The spans of one Write() with one resource and scope, in arrival order.
  struct SpanGroup {
    int64_t resource_id;
    int64_t scope_id;
    std::vector<const model::Span*> spans;
  };

  explicit Writer(Db* db) : db_(db) {}
  Status Prepare();
  Status WriteBatch(const model::Batch& batch);
  // Resolves (inserting if new) and records that an item at `time` used it.
  Status Ids(const model::Batch& batch, uint32_t resource, uint32_t scope, uint64_t time, int64_t* resource_id,
             int64_t* scope_id);
  StatusOr<int64_t> ResourceId(const model::Resource& resource);
  StatusOr<int64_t> ScopeId(const model::Scope& scope);
  // Resources and scopes alike: a row named by two strings and attributes,
  // deduplicated by their canonical fingerprint through `cache`, then the table.
  StatusOr<int64_t> NamedRowId(const std::string& first, const std::string& second, const model::Attributes& attributes,
                               IdCache<int64_t>* cache, Stmt& find, Stmt& insert);
  StatusOr<int64_t> MetricId(const model::Metric& metric, int64_t resource_id, int64_t scope_id);
  // Finds the row `find` selects by its bound key, or runs `insert`.
  StatusOr<int64_t> FindOrInsert(Stmt& find, Stmt& insert);
  // Adds a span to its group, to be written by WriteSpanBlocks().
  void AddSpan(const model::Span& span, int64_t resource_id, int64_t scope_id);
  Status WriteSpanBlocks();
  // Writes the block in block_, sealing the trace index epoch before it
  // when it starts a new one (trace_index.h).
  Status WriteBlock(const SpanGroup& group);
  Status SealEpoch(int64_t epoch);
  Status WritePoint(const model::MetricPoint& point, int64_t metric_id);
  Status WriteLog(const model::LogRecord& log, int64_t resource_id, int64_t scope_id);
  Status UpdateSeen();

  Db* const db_;
  Stmt find_resource_, insert_resource_, update_seen_;
  Stmt find_scope_, insert_scope_;
  Stmt find_metric_, insert_metric_;
  Stmt insert_block_, epoch_trace_keys_, insert_run_, insert_point_, insert_log_;

  IdCache<int64_t> resource_ids_;  // by fingerprint
  IdCache<int64_t> scope_ids_;     // by fingerprint
  IdCache<int64_t> metric_ids_;    // by stream identity
  BatchIds batch_ids_;
  std::unordered_map<int64_t, Seen> write_seen_;  // by resource id, for one Write()
  std::vector<SpanGroup> span_groups_;            // of one Write()
  std::map<std::pair<int64_t, int64_t>, size_t> span_group_index_;
  size_t last_span_group_ = 0;  // consecutive spans mostly share theirs
  int64_t next_span_id_ = 1;    // the ingest number of the next span (schema.cc)
  int64_t epoch_ = 0;           // of the last block written (trace_index.h)

  // Reused encoding buffers: the column text is bound without copying.
  SpanBlockBuilder block_;
  std::string block_data_;
  std::vector<int64_t> trace_keys_;
  std::string trace_keys_blob_;
  std::vector<TraceEntry> trace_entries_;
  std::vector<std::pair<int64_t, std::string>> runs_;
  std::string key_, attributes_, body_, distribution_;
};

}  // namespace augur::store
