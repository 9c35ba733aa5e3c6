// Reading the Nezha TrainTicket data set (github.com/IntelligentDDS/Nezha,
// FSE 2023): its fault lists and its trace, log and metric CSV files.
//
// Layout (under the unpacked archive):
//   rca_data/<day>/<day>-fault_list.json   faults by hour: inject_time, inject_pod, inject_type
//   rca_data/<day>/trace/HH_MM_trace.csv   spans, one file per minute
//   rca_data/<day>/log/HH_MM_log.csv       log records with trace and span ids
//   rca_data/<day>/metric/<pod>_metric.csv one row a minute per pod, the whole day
//   rca_data/<day>/metric/front_service.csv the entry service's latency, one row a minute
//   construct_data/<day>/...               the same for the fault-free minute(s)
//
// Times: span, log and metric timestamps are Unix ns (UTC). A fault's
// inject_time ("2023-01-29 08:43:04") is the same UTC clock as the files
// (the trace files around it are named 08_43..08_45); its inject_timestamp
// field is 8 hours off (read as China time) and sometimes repeated, so it
// is not used. A file HH_MM holds the minute that ends at about HH:MM:08.
//
// Pure functions apart from reading files; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augur::eval::nezha {

// The service of a pod as Nezha derives it: the pod name without its last
// two '-'-separated parts (ReplicaSet hash and pod suffix), so
// "ts-ui-dashboard-5477b965f-2chkr" -> "ts-ui-dashboard". A name with
// fewer parts is returned as far as it goes ("a-b" -> "a", "a" -> "a").
std::string ServiceOfPod(std::string_view pod);

struct Fault {
  std::string day;          // "2023-01-29"
  std::string inject_time;  // as written: "2023-01-29 08:43:04"
  uint64_t inject_ns = 0;   // inject_time read as UTC
  std::string pod;          // inject_pod
  std::string service;      // ServiceOfPod(pod)
  std::string type;         // return, exception, cpu_contention, network_delay
};

// Reads a <day>-fault_list.json ({"HH": [{inject_time, inject_pod,
// inject_type, ...}], ...}), sorted by inject time. NotFound if missing,
// InvalidArgument if malformed.
StatusOr<std::vector<Fault>> ReadFaultList(const std::filesystem::path& file, const std::string& day);

// "YYYY-MM-DD HH:MM[:SS]" read as UTC, in Unix ns. InvalidArgument otherwise.
StatusOr<uint64_t> ParseUtc(std::string_view text);

struct SpanRow {
  std::string trace_id;   // 32 hex digits
  std::string span_id;    // 16 hex digits
  std::string parent_id;  // 16 hex digits, or "root"
  std::string pod;
  std::string operation;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
};

struct LogRow {
  uint64_t time_ns = 0;  // TimeUnixNano, or the Timestamp column where that is garbled
  std::string node;      // the node's address
  std::string pod;
  std::string container;
  std::string trace_id;  // may be empty
  std::string span_id;   // may be empty
  // The line the application wrote: the "log" field of the container
  // runtime's JSON record, without its trailing newline. A record that is
  // not valid JSON (a few are truncated and glued to another) gives its
  // first complete JSON object's "log", else the raw field.
  std::string body;
  // From the level word after the line's time ("16:48:42.424 INFO ..."):
  // TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21; 0 when none.
  uint8_t severity_number = 0;
  std::string severity_text;
};

// One metric file: a pod's resource and latency metrics, or the front
// end's (front_service.csv). values[i] belongs to columns[i]; NaN when the
// field is "NaN" or empty (a minute with no requests).
struct MetricTable {
  std::string source;                // the pod (PodName), or the ServiceName of front_service.csv
  bool front = false;                // front_service.csv
  std::vector<std::string> columns;  // value columns, as in the header
  struct Row {
    uint64_t time_ns = 0;  // the TimeStamp column (Unix seconds)
    std::vector<double> values;
  };
  std::vector<Row> rows;  // in file order (time order)
};

StatusOr<std::vector<SpanRow>> ReadTraceCsv(const std::filesystem::path& path);
StatusOr<std::vector<LogRow>> ReadLogCsv(const std::filesystem::path& path);
// A <pod>_metric.csv or front_service.csv. Rows whose time cannot be read
// are an error; other columns that cannot be read as numbers are NaN.
StatusOr<MetricTable> ReadMetricCsv(const std::filesystem::path& path);

// The per-minute files of one kind in <dir> ("HH_MM_<kind>.csv"), with the
// end of the minute each covers (<day> HH:MM), in time order.
struct MinuteFile {
  uint64_t minute_ns = 0;
  std::filesystem::path path;
};
StatusOr<std::vector<MinuteFile>> ListMinuteFiles(const std::filesystem::path& dir, const std::string& day,
                                                  std::string_view kind);

// Every *.csv metric table of <dir> (pods and front end), sorted by source.
StatusOr<std::vector<MetricTable>> ReadMetricDir(const std::filesystem::path& dir);

}  // namespace augur::eval::nezha
