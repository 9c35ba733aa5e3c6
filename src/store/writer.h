// Writer: turns batches into rows, one transaction per Write(). Internal to
// the store; used by the one writer thread.
//
// Resources, scopes and metric streams are deduplicated through the database
// (unique fingerprints) with bounded in-memory caches in front. Each Write()
// updates a resource's first/last seen once, with the event-time range of the
// items it wrote for it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"
#include "store/id_cache.h"
#include "store/sqlite_util.h"

namespace augur::store {

class Writer {
 public:
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

  explicit Writer(Db* db) : db_(db) {}
  Status Prepare();
  Status WriteBatch(const model::Batch& batch);
  // Resolves (inserting if new) and records that an item at `time` used it.
  Status Ids(const model::Batch& batch, uint32_t resource, uint32_t scope, uint64_t time, int64_t* resource_id,
             int64_t* scope_id);
  StatusOr<int64_t> ResourceId(const model::Resource& resource);
  StatusOr<int64_t> ScopeId(const model::Scope& scope);
  StatusOr<int64_t> MetricId(const model::Metric& metric, int64_t resource_id, int64_t scope_id);
  // Finds the row `find` selects by its bound key, or runs `insert`.
  StatusOr<int64_t> FindOrInsert(Stmt& find, Stmt& insert);
  Status WriteSpan(const model::Span& span, int64_t resource_id, int64_t scope_id);
  Status WritePoint(const model::MetricPoint& point, int64_t metric_id);
  Status WriteLog(const model::LogRecord& log, int64_t resource_id, int64_t scope_id);
  Status UpdateSeen();

  Db* const db_;
  Stmt find_resource_, insert_resource_, update_seen_;
  Stmt find_scope_, insert_scope_;
  Stmt find_metric_, insert_metric_;
  Stmt insert_span_, insert_point_, insert_log_;

  IdCache<int64_t> resource_ids_;  // by fingerprint
  IdCache<int64_t> scope_ids_;     // by fingerprint
  IdCache<int64_t> metric_ids_;    // by stream identity
  BatchIds batch_ids_;
  std::unordered_map<int64_t, Seen> write_seen_;  // by resource id, for one Write()

  // Reused encoding buffers: the column text is bound without copying.
  std::string key_, attributes_, events_, links_, body_, distribution_;
};

}  // namespace augur::store
