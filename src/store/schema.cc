#include "store/schema.h"

#include <initializer_list>

namespace augur::store {
namespace {

// Times are uint64 nanoseconds stored as SQLite's int64 (exact up to 2262).
// Every data table's id grows with ingest order; retention deletes id
// prefixes, and ids stay contiguous in what they count, so max-min+1 counts
// a table's items.
//
// Indexes are only those the queries need, since each one costs on every
// insert: per-resource time ranges (a service filter is a set of resources);
// time ranges across all services; metric streams by name; traces. Log
// trace/span ids are kept but not indexed (no query looks logs up by id).
//
// Spans are kept many to a row, in blocks (span_codec.h): one per Write(),
// resource and scope, split at a bounded size and start-time spread (writer.h).
// That makes a span's share of row, index and trace-index inserts small,
// which is what Write() spends its time on. A block's id is the ingest
// number of its first span (spans are numbered 1, 2, ... as written), so ids
// grow with ingest order and id ranges count spans, not blocks.
//
// The trace index (trace_index.h) has one entry per distinct trace per
// block, written in sorted runs per epoch of blocks; each block row holds its
// trace keys, which lookups read until the block's epoch is sealed into runs
// (they stay after: dropping them would rewrite the row). Retention deletes
// an epoch's runs once none of its blocks is left; until then the entries of
// deleted blocks name no block and lookups skip them.
constexpr const char* kSpanSchema = R"sql(
CREATE TABLE span_blocks (
  id INTEGER PRIMARY KEY,
  resource_id INTEGER NOT NULL,
  scope_id INTEGER NOT NULL,
  min_start INTEGER NOT NULL,        -- of the block's spans
  max_start INTEGER NOT NULL,
  span_count INTEGER NOT NULL,
  trace_keys BLOB NOT NULL,          -- trace_index.h; before data, to be read without it
  data BLOB NOT NULL                 -- span_codec.h
);
CREATE INDEX span_blocks_resource_start ON span_blocks(resource_id, min_start, max_start);
CREATE INDEX span_blocks_start ON span_blocks(min_start, max_start);

CREATE TABLE span_trace_runs (
  epoch INTEGER NOT NULL,
  first_key INTEGER NOT NULL,
  entries BLOB NOT NULL,             -- trace_index.h
  PRIMARY KEY (epoch, first_key)
) WITHOUT ROWID;
)sql";

constexpr const char* kSchema = R"sql(
CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,  -- service name, schema url, canonical attributes JSON
  service_name TEXT NOT NULL,
  schema_url TEXT NOT NULL,
  attributes TEXT NOT NULL,
  first_seen INTEGER,                -- event time; NULL until an item has a time
  last_seen INTEGER
);
CREATE INDEX resources_service ON resources(service_name);

CREATE TABLE scopes (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,  -- name, version, canonical attributes JSON
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  attributes TEXT NOT NULL
);

CREATE TABLE metrics (
  id INTEGER PRIMARY KEY,
  resource_id INTEGER NOT NULL,
  scope_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  unit TEXT NOT NULL,
  type INTEGER NOT NULL,
  temporality INTEGER NOT NULL,
  monotonic INTEGER NOT NULL,
  UNIQUE (name, resource_id, scope_id, description, unit, type, temporality, monotonic)
);

CREATE TABLE metric_points (
  id INTEGER PRIMARY KEY,
  metric_id INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  time INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  flags INTEGER NOT NULL,
  value REAL,                        -- NULL for NaN (SQLite stores no NaN)
  is_int INTEGER NOT NULL,
  distribution TEXT                  -- histogram, exponential histogram, summary
);
CREATE INDEX metric_points_metric_time ON metric_points(metric_id, time);

CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  observed_time INTEGER NOT NULL,
  event_time INTEGER GENERATED ALWAYS AS (CASE WHEN time <> 0 THEN time ELSE observed_time END) VIRTUAL,
  resource_id INTEGER NOT NULL,
  scope_id INTEGER NOT NULL,
  severity_number INTEGER NOT NULL,
  severity_text TEXT NOT NULL,
  body TEXT,                         -- NULL for an empty body
  attributes TEXT NOT NULL,
  flags INTEGER NOT NULL,
  trace_id BLOB,                     -- NULL when absent
  span_id BLOB,
  event_name TEXT NOT NULL
);
CREATE INDEX logs_resource_time ON logs(resource_id, event_time);
CREATE INDEX logs_time ON logs(event_time);

-- Ingest time, for age retention: at wall_time, each table's rows up to
-- these ids had been written (for anomalies and insights: up to this seq).
CREATE TABLE ingest_marks (
  wall_time INTEGER PRIMARY KEY,
  span_blocks INTEGER NOT NULL,
  metric_points INTEGER NOT NULL,
  logs INTEGER NOT NULL,
  anomalies INTEGER NOT NULL DEFAULT 0,
  insights INTEGER NOT NULL DEFAULT 0
);
)sql";

// Analysis results, change events and analysis state (version 3), written
// through the store's second write connection (analysis_writer.h).
//
// Anomalies: one row per id, rewritten whole (INSERT OR REPLACE) when the
// anomaly changes. `seq` numbers rows by their last write and is never
// reused (AUTOINCREMENT), so ingest marks cover anomalies as they cover
// telemetry: age retention deletes those last written more than max_age ago.
// Queries select by onset, newest first, per service or overall; ongoing
// ones (end_time NULL) have their own small index.
//
// Events: one row per id; the partial index finds the merge partner of a
// deployment (store.h; model/event_merge.h: same service and version, near
// in time; the same version deployed again later is another row). Sources
// and changes are JSON arrays: they are read whole, and the old-value
// lookup (analysis_writer.cc) reads changes with json_each.
//
// Retention deletes neither events nor state.
constexpr const char* kAnalysisSchema = R"sql(
CREATE TABLE anomalies (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  metric TEXT NOT NULL,
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  attributes TEXT NOT NULL,          -- JSON object of strings
  kind TEXT NOT NULL,
  direction TEXT NOT NULL,
  quantity TEXT NOT NULL,
  unit TEXT NOT NULL,
  detector TEXT NOT NULL,
  onset INTEGER NOT NULL,            -- event times
  detected INTEGER NOT NULL,
  end_time INTEGER,                  -- NULL while ongoing
  updated INTEGER NOT NULL,
  value_before REAL,                 -- the values: NULL for NaN
  observed REAL,
  expected_low REAL,
  expected_high REAL,
  score REAL,
  limit_value REAL,
  predicted INTEGER NOT NULL,
  explanation TEXT NOT NULL
);
CREATE INDEX anomalies_service_onset ON anomalies(service, onset);
CREATE INDEX anomalies_onset ON anomalies(onset);
CREATE INDEX anomalies_ongoing ON anomalies(onset) WHERE end_time IS NULL;

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,                -- ChangeTypeName: "DEPLOYMENT", ...
  service TEXT NOT NULL,
  time INTEGER NOT NULL,             -- event time
  version TEXT NOT NULL,
  previous_version TEXT NOT NULL,
  source TEXT NOT NULL,
  sources TEXT NOT NULL,             -- JSON array of strings
  description TEXT NOT NULL,
  changes TEXT NOT NULL              -- JSON array of {"key", "old", "new"}
);
CREATE INDEX events_service_time ON events(service, time);
CREATE INDEX events_time ON events(time);
CREATE INDEX events_deployment ON events(service, version, time) WHERE type = 'DEPLOYMENT' AND version <> '';

CREATE TABLE analysis_state (
  name TEXT PRIMARY KEY,
  data BLOB NOT NULL
);
)sql";

// Insights and their feedback (version 4), written through the analysis
// connection as well.
//
// Insights: one row per id, rewritten whole (INSERT OR REPLACE) when the
// correlator changes it; `data` is the insight's JSON (InsightToJson), the
// columns beside it are what queries select on. `seq` numbers rows by their
// last write, as for anomalies, so age retention deletes insights last
// written more than max_age ago. `end_time` is NULL while the insight is
// ONGOING. `feedback` repeats the latest feedback (also inside `data`), so
// a rewrite by the correlator can keep it without parsing `data`.
//
// Insight services: the services an insight touches (its root cause's and
// its anomalies'), one row each, so a service filter is an index range
// ordered by start time. Rewritten with the insight.
//
// Feedback: every submission with its wall time, the newest
// kMaxFeedbackPerInsight per insight (analysis_writer.h). Deleted with its
// insight, never before.
constexpr const char* kInsightSchema = R"sql(
CREATE TABLE insights (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,              -- ONGOING, CLOSED
  start_time INTEGER NOT NULL,       -- event times
  end_time INTEGER,                  -- NULL while ONGOING
  feedback TEXT NOT NULL,            -- "" or the latest feedback
  data TEXT NOT NULL                 -- InsightToJson
);
CREATE INDEX insights_start ON insights(start_time);
CREATE INDEX insights_ongoing ON insights(start_time) WHERE end_time IS NULL;

CREATE TABLE insight_services (
  service TEXT NOT NULL,
  start_time INTEGER NOT NULL,       -- the insight's
  insight_id TEXT NOT NULL,
  PRIMARY KEY (service, start_time, insight_id)
) WITHOUT ROWID;
CREATE INDEX insight_services_insight ON insight_services(insight_id);

CREATE TABLE insight_feedback (
  seq INTEGER PRIMARY KEY,
  insight_id TEXT NOT NULL,
  feedback TEXT NOT NULL,            -- USEFUL, NOT_USEFUL, TOO_SENSITIVE, INCORRECT
  wall_time INTEGER NOT NULL         -- when it was given (Unix ns)
);
CREATE INDEX insight_feedback_insight ON insight_feedback(insight_id);
)sql";

// The notification outbox (version 5), written through its own connection
// (outbox.h).
//
// Outbox: one row per message and sink, the body rendered when the message
// was derived, so what a sink receives does not depend on when it is sent.
// (id, sink) is unique: deriving a message again (after a crash between
// storing an insight and enqueueing its messages) does not queue it twice.
// Delivered rows are deleted; rows given up on stay, marked dead, the newest
// kMaxDead of them (outbox.h). A sink's pending rows are sent in seq order,
// so its partial index is by (sink, seq). Times are the wall clock: delivery
// is about when a receiver was reachable, not about telemetry.
//
// Seen: the notifier's memory of each insight's last revision it derived
// messages from (opaque to the store), written in the same transaction as
// the messages, so a restart neither repeats nor loses them. `seq` orders
// rows by their last write; the oldest beyond kMaxSeen are deleted.
constexpr const char* kNotifySchema = R"sql(
CREATE TABLE notify_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,                  -- message id: the receivers' deduplication key
  sink TEXT NOT NULL,                -- sink name, from the config
  type TEXT NOT NULL,                -- NEW_INSIGHT, ...
  insight_id TEXT NOT NULL,
  body TEXT NOT NULL,                -- the HTTP body
  created INTEGER NOT NULL,          -- wall clock, Unix ns
  attempts INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL,     -- wall clock, Unix ns
  dead INTEGER NOT NULL,             -- 1: given up on
  last_error TEXT NOT NULL,
  UNIQUE (id, sink)
);
CREATE INDEX notify_outbox_pending ON notify_outbox(sink, seq) WHERE dead = 0;
CREATE INDEX notify_outbox_dead ON notify_outbox(seq) WHERE dead = 1;

CREATE TABLE notify_seen (
  insight_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  data TEXT NOT NULL
);
)sql";

// Settings of every connection. The page cache is per connection; the
// writer's is larger because index inserts (metric points and logs by
// resource or stream and time) touch pages all over their b-trees.
Status ConfigureConnection(Db& db, int cache_kib) {
  if (Status s = db.Exec("PRAGMA busy_timeout = 5000"); !s.ok()) return s;
  if (Status s = db.Exec("PRAGMA temp_store = MEMORY"); !s.ok()) return s;
  return db.Exec(("PRAGMA cache_size = -" + std::to_string(cache_kib)).c_str());
}

// Version 1 kept one row per span. Its spans are dropped (converting them
// would take long at startup); everything else is kept. Ingest marks then
// name no span block, as the first new one is numbered 1.
constexpr const char* kDropVersion1Spans = R"sql(
DROP TABLE spans;
ALTER TABLE ingest_marks RENAME COLUMN spans TO span_blocks;
UPDATE ingest_marks SET span_blocks = 0;
)sql";

// Version 2 had no analysis tables; its ingest marks gain the anomalies
// column (0: no anomaly is covered by a mark older than the upgrade).
constexpr const char* kAddVersion3Marks = "ALTER TABLE ingest_marks ADD COLUMN anomalies INTEGER NOT NULL DEFAULT 0";

// Version 3 had no insight tables; likewise for its marks.
constexpr const char* kAddVersion4Marks = "ALTER TABLE ingest_marks ADD COLUMN insights INTEGER NOT NULL DEFAULT 0";

// Versions 3 to 5 kept one row per (service, version) deployment, ever; the
// index that enforced it becomes a plain one that also orders by time.
constexpr const char* kVersion6DeploymentIndex = R"sql(
DROP INDEX events_deployment;
CREATE INDEX events_deployment ON events(service, version, time) WHERE type = 'DEPLOYMENT' AND version <> '';
)sql";

// Runs `steps` in order and sets the current version, in one transaction.
Status UpdateSchema(Db& db, std::initializer_list<const char*> steps) {
  auto tx = Transaction::Begin(&db, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  for (const char* sql : steps) {
    if (Status s = db.Exec(sql); !s.ok()) return s;
  }
  if (Status s = db.Exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str()); !s.ok()) return s;
  return tx->Commit();
}

}  // namespace

StatusOr<Db> OpenWriteConnection(const std::string& path) {
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  if (Status s = ConfigureConnection(*db, 64 * 1024); !s.ok()) return s;
  auto tables = db->QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.status();
  if (*tables == 0) {
    // Only possible before the first table exists; lets size retention give
    // freed pages back to the file system.
    if (Status s = db->Exec("PRAGMA auto_vacuum = INCREMENTAL"); !s.ok()) return s;
  }
  // journal_mode answers with the mode it ended up in: check it is WAL.
  auto mode = Stmt::Prepare(db->get(), "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  auto row = mode->Step();
  if (!row.ok()) return row.status();
  if (!*row || mode->ColumnText(0) != "wal") return Status::IOError("cannot put " + path + " in WAL mode");
  mode->Reset();
  // NORMAL in WAL mode: a commit is durable against a process crash (it is
  // in the WAL file); only an OS crash or power loss can lose the last ones.
  if (Status s = db->Exec("PRAGMA synchronous = NORMAL"); !s.ok()) return s;
  // Checkpoints every 32 MiB of WAL rather than SQLite's 4 MiB: a checkpoint
  // syncs both files and copies each page once however often it changed, so
  // fewer of them cost less (measured ~5-10% of Write() CPU).
  if (Status s = db->Exec("PRAGMA wal_autocheckpoint = 8192"); !s.ok()) return s;
  // Caps the WAL file kept on disk after a checkpoint resets it.
  if (Status s = db->Exec("PRAGMA journal_size_limit = 67108864"); !s.ok()) return s;

  auto version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version == 0 && *tables == 0) {
    if (Status s = UpdateSchema(*db, {kSchema, kSpanSchema, kAnalysisSchema, kInsightSchema, kNotifySchema}); !s.ok()) {
      return s;
    }
  } else if (*version == 1) {
    if (Status s = UpdateSchema(*db, {kDropVersion1Spans, kSpanSchema, kAddVersion3Marks, kAnalysisSchema,
                                      kAddVersion4Marks, kInsightSchema, kNotifySchema});
        !s.ok()) {
      return s;
    }
  } else if (*version == 2) {
    if (Status s =
            UpdateSchema(*db, {kAddVersion3Marks, kAnalysisSchema, kAddVersion4Marks, kInsightSchema, kNotifySchema});
        !s.ok()) {
      return s;
    }
  } else if (*version == 3) {
    if (Status s = UpdateSchema(*db, {kVersion6DeploymentIndex, kAddVersion4Marks, kInsightSchema, kNotifySchema});
        !s.ok()) {
      return s;
    }
  } else if (*version == 4) {
    if (Status s = UpdateSchema(*db, {kVersion6DeploymentIndex, kNotifySchema}); !s.ok()) return s;
  } else if (*version == 5) {
    if (Status s = UpdateSchema(*db, {kVersion6DeploymentIndex}); !s.ok()) return s;
  } else if (*version != kSchemaVersion) {
    return Status::IOError(path + " has schema version " + std::to_string(*version) + "; this augur reads version " +
                           std::to_string(kSchemaVersion));
  }
  return db;
}

StatusOr<Db> OpenAnalysisWriteConnection(const std::string& path) {
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.status();
  if (Status s = ConfigureConnection(*db, 4 * 1024); !s.ok()) return s;
  // A per-connection setting: the same durability as the ingest writer's.
  if (Status s = db->Exec("PRAGMA synchronous = NORMAL"); !s.ok()) return s;
  return db;
}

StatusOr<Db> OpenReadConnection(const std::string& path) {
  auto db = Db::Open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  if (Status s = ConfigureConnection(*db, 16 * 1024); !s.ok()) return s;
  return db;
}

StatusOr<uint64_t> UsedBytes(Db& db) {
  auto used = db.QueryInt(
      "SELECT (p.page_count - f.freelist_count) * s.page_size "
      "FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s");
  if (!used.ok()) return used.status();
  return static_cast<uint64_t>(*used);
}

}  // namespace augur::store
