// Nezha TrainTicket telemetry (nezha_data.h) as augur's model, cut into
// exports the way the services' OpenTelemetry SDKs would have sent it.
//
// Resources: one per pod, service.name = ServiceOfPod(pod) and
// k8s.pod.name = the pod; the front end's metrics (front_service.csv) get
// one resource named by its ServiceName column ("Frontend"). Every item
// has the scope "nezha-csv".
//
// Spans: trace, span and parent ids from hex ("root" = no parent), name =
// OperationName, start and end as given. Status UNSET: the files carry no
// status and no HTTP attributes, so errors are not visible in the spans.
// Kinds are not in the files either; InferKinds derives them from the
// trace's shape (rule below). A span repeated in two minute files counts
// once.
//
// Logs: time = observed time = TimeUnixNano, body = the application's line,
// severity from its level word, trace and span ids, the container as
// attribute k8s.container.name.
//
// Metrics: each row of a metric file is one collection, exported at its
// time as gauges (one point each; NaN fields, minutes without requests,
// give no point). Pod files, by column:
//   CpuUsage(m)          k8s.pod.cpu.usage          {cpu} (cores: m / 1000)
//   CpuUsageRate(%)      k8s.pod.cpu.utilization    %
//   MemoryUsage(Mi)      k8s.pod.memory.usage       By
//   MemoryUsageRate(%)   k8s.pod.memory.utilization %
//   SyscallRead/Write    k8s.pod.syscalls           {call}  syscall=read|write
//   NetworkReceive/TransmitBytes k8s.pod.network.io.rate By/s network.io.direction=receive|transmit
//   Pod{Client,Server}LatencyP{90,95,99}(s) pod.{client,server}.latency.p{90,95,99} s
//   PodWorkload(Ops)     pod.workload               {operation}/s
//   PodSuccessRate(%)    pod.success_rate           %
// and front_service.csv: SuccessRate(%) -> service.success_rate (%),
// LatencyP{50,90,95,99}(s) -> service.latency.p{50,...} (s). The Node*
// columns describe the pod's host, not the pod, and are left out: copied
// into every pod of a node, one host's trouble would look like a symptom
// of each service on it. Unknown columns are left out and counted.
//
// Exports (see scenario/generator.h for augur's own generator): each pod
// runs one exporter per signal. Trace and log exporters send every
// `interval` at a phase of their own (a hash of pod and signal): an export
// holds that pod's spans that ended (logs written) since its previous
// export, oldest first, split at max_batch; an empty interval sends
// nothing, as a BatchSpanProcessor does. Each metric row is sent at its
// own time. Exports are ordered by send time (ties: resource, then traces,
// metrics, logs). The cut is made on the files' times, so a time shift
// moves every export by the same amount and never changes what is in it.
//
// Not thread-safe; one per stretch of telemetry.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "eval/nezha_data.h"
#include "model/telemetry.h"

namespace augur::eval::nezha {

// The kind given to a span, and for a CLIENT span the service it calls.
struct InferredKind {
  model::SpanKind kind = model::SpanKind::kInternal;
  std::string peer_service;  // CLIENT only
};

// Kinds from the shape of the traces in `spans` (any order, several
// traces), parallel to `spans`:
//  - SERVER: a root (ParentID "root"), a span whose parent is not in
//    `spans`, or whose parent ran in another pod: where a request enters a
//    process;
//  - CLIENT: otherwise, a span with a child in another pod: it called out,
//    and its peer.service is that child's service (the first such child
//    in input order);
//  - INTERNAL: everything else (controller, repository and SQL spans; the
//    SQL ones name no database system, so they are not dependency calls).
std::vector<InferredKind> InferKinds(const std::vector<SpanRow>& spans);

// A copy of a stretch of spans or logs, for replaying normal traffic more
// than once: every time moved by shift_ns, and every trace id made unique
// to the copy (its last four bytes XORed with copy + 1; logs get the same
// ids as their spans, so they still point at them). Ids that are not hex
// are kept as they are.
std::vector<SpanRow> CopySpans(const std::vector<SpanRow>& rows, int64_t shift_ns, uint32_t copy);
std::vector<LogRow> CopyLogs(const std::vector<LogRow>& rows, int64_t shift_ns, uint32_t copy);

// Accepts an item by its time (span end, log time, metric time).
using TimeFilter = std::function<bool(uint64_t time_ns)>;

struct ExportOptions {
  uint64_t interval_ns = 5'000'000'000;  // OTel SDK default for batch span and log processors
  size_t max_batch = 512;                // their max_export_batch_size
};

struct StretchStats {
  uint64_t spans = 0;
  uint64_t duplicate_spans = 0;  // the same (trace, span) id again
  uint64_t bad_ids = 0;          // spans with ids that are not hex of the right length: dropped
  uint64_t server = 0, client = 0, internal = 0;
  uint64_t logs = 0;
  uint64_t metric_rows = 0;
  uint64_t metric_points = 0;
  uint64_t missing_values = 0;   // NaN fields: no point
  uint64_t unknown_columns = 0;  // per table
};

// Telemetry of one stretch of time, converted but not yet cut into exports.
class Stretch {
 public:
  Stretch();

  // All spans of the stretch in one call: kinds are inferred over `rows`
  // (so a trace that the filter cuts keeps the kinds it has whole), then
  // the spans whose end time `keep` accepts are added.
  void AddSpans(const std::vector<SpanRow>& rows, const TimeFilter& keep);
  void AddLogs(const std::vector<LogRow>& rows, const TimeFilter& keep);
  void AddMetrics(const MetricTable& table, const TimeFilter& keep);

  // The exports, every timestamp moved by shift_ns.
  std::vector<model::Batch> Export(int64_t shift_ns, const ExportOptions& options = {}) const;

  const StretchStats& stats() const { return stats_; }
  // The newest item time (unshifted); 0 when empty.
  uint64_t last_ns() const { return last_ns_; }
  uint64_t first_ns() const { return first_ns_; }

 private:
  enum Signal : uint8_t { kTraces = 0, kMetrics = 1, kLogs = 2 };
  struct Collection {  // one metric row
    uint32_t resource = 0;
    uint64_t time_ns = 0;
    std::vector<model::Metric> metrics;
  };
  uint32_t ResourceFor(const std::string& service, const std::string& pod);
  void Note(uint64_t time_ns);

  std::vector<model::Resource> resources_;
  std::vector<std::string> resource_names_;  // the pod, or the front end's service: for phases and order
  std::map<std::pair<std::string, std::string>, uint32_t> resource_index_;
  std::vector<std::pair<uint32_t, model::Span>> spans_;
  std::vector<std::pair<uint32_t, model::LogRecord>> logs_;
  std::vector<Collection> collections_;
  std::set<std::pair<std::string, std::string>> seen_spans_;  // (trace id, span id)
  uint64_t first_ns_ = 0, last_ns_ = 0;
  StretchStats stats_;
};

}  // namespace augur::eval::nezha
