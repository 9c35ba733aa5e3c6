#include "eval/nezha_convert.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "common/hex.h"

namespace augur::eval::nezha {

namespace {

constexpr const char* kScopeName = "nezha-csv";

struct ColumnMetric {
  std::string_view column;
  std::string_view name;
  std::string_view unit;
  double scale;
  std::string_view attribute_key;  // "" for none
  std::string_view attribute_value;
};

// See the table in the header.
constexpr ColumnMetric kPodColumns[] = {
    {"CpuUsage(m)", "k8s.pod.cpu.usage", "{cpu}", 0.001, "", ""},
    {"CpuUsageRate(%)", "k8s.pod.cpu.utilization", "%", 1, "", ""},
    {"MemoryUsage(Mi)", "k8s.pod.memory.usage", "By", 1024.0 * 1024.0, "", ""},
    {"MemoryUsageRate(%)", "k8s.pod.memory.utilization", "%", 1, "", ""},
    {"SyscallRead", "k8s.pod.syscalls", "{call}", 1, "syscall", "read"},
    {"SyscallWrite", "k8s.pod.syscalls", "{call}", 1, "syscall", "write"},
    {"NetworkReceiveBytes", "k8s.pod.network.io.rate", "By/s", 1, "network.io.direction", "receive"},
    {"NetworkTransmitBytes", "k8s.pod.network.io.rate", "By/s", 1, "network.io.direction", "transmit"},
    {"PodClientLatencyP90(s)", "pod.client.latency.p90", "s", 1, "", ""},
    {"PodServerLatencyP90(s)", "pod.server.latency.p90", "s", 1, "", ""},
    {"PodClientLatencyP95(s)", "pod.client.latency.p95", "s", 1, "", ""},
    {"PodServerLatencyP95(s)", "pod.server.latency.p95", "s", 1, "", ""},
    {"PodClientLatencyP99(s)", "pod.client.latency.p99", "s", 1, "", ""},
    {"PodServerLatencyP99(s)", "pod.server.latency.p99", "s", 1, "", ""},
    {"PodWorkload(Ops)", "pod.workload", "{operation}/s", 1, "", ""},
    {"PodSuccessRate(%)", "pod.success_rate", "%", 1, "", ""},
};
constexpr ColumnMetric kFrontColumns[] = {
    {"SuccessRate(%)", "service.success_rate", "%", 1, "", ""},
    {"LatencyP50(s)", "service.latency.p50", "s", 1, "", ""},
    {"LatencyP90(s)", "service.latency.p90", "s", 1, "", ""},
    {"LatencyP95(s)", "service.latency.p95", "s", 1, "", ""},
    {"LatencyP99(s)", "service.latency.p99", "s", 1, "", ""},
};

template <size_t N>
bool DecodeId(const std::string& hex, std::array<uint8_t, N>* out) {
  auto bytes = HexDecode(hex);
  if (!bytes || bytes->size() != N) return false;
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return true;
}

// FNV-1a: a fixed phase per exporter, the same on every run.
uint64_t Fnv1a(std::string_view s, uint8_t salt) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  h ^= salt;
  h *= 1099511628211ULL;
  return h;
}

uint64_t Shifted(uint64_t t, int64_t shift_ns) {
  return t == 0 ? 0 : static_cast<uint64_t>(static_cast<int64_t>(t) + shift_ns);
}

// The trace id of copy `copy`: see CopySpans.
std::string CopyTraceId(const std::string& hex, uint32_t copy) {
  auto bytes = HexDecode(hex);
  if (!bytes || bytes->size() < 4) return hex;
  const uint32_t mix = copy + 1;
  for (int i = 0; i < 4; ++i) (*bytes)[bytes->size() - 1 - i] ^= static_cast<uint8_t>(mix >> (8 * i));
  return HexEncode(*bytes);
}

uint64_t Moved(uint64_t t, int64_t shift_ns) {
  return static_cast<uint64_t>(static_cast<int64_t>(t) + shift_ns);
}

}  // namespace

std::vector<SpanRow> CopySpans(const std::vector<SpanRow>& rows, int64_t shift_ns, uint32_t copy) {
  std::vector<SpanRow> out = rows;
  for (SpanRow& r : out) {
    r.trace_id = CopyTraceId(r.trace_id, copy);
    r.start_ns = Moved(r.start_ns, shift_ns);
    r.end_ns = Moved(r.end_ns, shift_ns);
  }
  return out;
}

std::vector<LogRow> CopyLogs(const std::vector<LogRow>& rows, int64_t shift_ns, uint32_t copy) {
  std::vector<LogRow> out = rows;
  for (LogRow& r : out) {
    if (!r.trace_id.empty()) r.trace_id = CopyTraceId(r.trace_id, copy);
    r.time_ns = Moved(r.time_ns, shift_ns);
  }
  return out;
}

std::vector<InferredKind> InferKinds(const std::vector<SpanRow>& spans) {
  // (trace, span id) -> index of its first occurrence.
  std::unordered_map<std::string, size_t> by_id;
  by_id.reserve(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) by_id.emplace(spans[i].trace_id + "/" + spans[i].span_id, i);
  std::vector<InferredKind> out(spans.size());
  std::vector<bool> entered(spans.size(), false);
  for (size_t i = 0; i < spans.size(); ++i) {
    const SpanRow& s = spans[i];
    if (s.parent_id == "root") {
      entered[i] = true;
      continue;
    }
    auto parent = by_id.find(s.trace_id + "/" + s.parent_id);
    if (parent == by_id.end()) {
      entered[i] = true;
      continue;
    }
    const SpanRow& p = spans[parent->second];
    if (p.pod != s.pod) {
      entered[i] = true;
      // The parent called out, unless it is itself an entry (checked below).
      InferredKind& pk = out[parent->second];
      if (pk.peer_service.empty()) pk.peer_service = ServiceOfPod(s.pod);
    }
  }
  for (size_t i = 0; i < spans.size(); ++i) {
    if (entered[i]) {
      out[i].kind = model::SpanKind::kServer;
      out[i].peer_service.clear();
    } else if (!out[i].peer_service.empty()) {
      out[i].kind = model::SpanKind::kClient;
    }
  }
  return out;
}

Stretch::Stretch() = default;

uint32_t Stretch::ResourceFor(const std::string& service, const std::string& pod) {
  auto [it, inserted] = resource_index_.try_emplace({service, pod}, static_cast<uint32_t>(resources_.size()));
  if (inserted) {
    model::Resource r;
    r.service_name = service;
    r.attributes.push_back({"service.name", {service}});
    if (!pod.empty()) r.attributes.push_back({"k8s.pod.name", {pod}});
    resources_.push_back(std::move(r));
    resource_names_.push_back(pod.empty() ? service : pod);
  }
  return it->second;
}

void Stretch::Note(uint64_t time_ns) {
  if (first_ns_ == 0 || time_ns < first_ns_) first_ns_ = time_ns;
  last_ns_ = std::max(last_ns_, time_ns);
}

void Stretch::AddSpans(const std::vector<SpanRow>& rows, const TimeFilter& keep) {
  const std::vector<InferredKind> kinds = InferKinds(rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    const SpanRow& r = rows[i];
    if (!keep(r.end_ns)) continue;
    if (!seen_spans_.emplace(r.trace_id, r.span_id).second) {
      ++stats_.duplicate_spans;
      continue;
    }
    model::Span s;
    if (!DecodeId(r.trace_id, &s.trace_id) || !DecodeId(r.span_id, &s.span_id) ||
        (r.parent_id != "root" && !DecodeId(r.parent_id, &s.parent_span_id))) {
      ++stats_.bad_ids;
      continue;
    }
    s.name = r.operation;
    s.kind = kinds[i].kind;
    s.start_time_unix_nano = r.start_ns;
    s.end_time_unix_nano = r.end_ns;
    if (s.kind == model::SpanKind::kClient) {
      s.attributes.push_back({"peer.service", {kinds[i].peer_service}});
      ++stats_.client;
    } else if (s.kind == model::SpanKind::kServer) {
      ++stats_.server;
    } else {
      ++stats_.internal;
    }
    ++stats_.spans;
    Note(r.end_ns);
    spans_.emplace_back(ResourceFor(ServiceOfPod(r.pod), r.pod), std::move(s));
  }
}

void Stretch::AddLogs(const std::vector<LogRow>& rows, const TimeFilter& keep) {
  for (const LogRow& r : rows) {
    if (!keep(r.time_ns)) continue;
    model::LogRecord l;
    l.time_unix_nano = r.time_ns;
    l.observed_time_unix_nano = r.time_ns;
    l.severity_number = r.severity_number;
    l.severity_text = r.severity_text;
    l.body.value = r.body;
    if (!r.container.empty()) l.attributes.push_back({"k8s.container.name", {r.container}});
    if (!DecodeId(r.trace_id, &l.trace_id)) l.trace_id = {};
    if (!DecodeId(r.span_id, &l.span_id)) l.span_id = {};
    ++stats_.logs;
    Note(r.time_ns);
    logs_.emplace_back(ResourceFor(ServiceOfPod(r.pod), r.pod), std::move(l));
  }
}

void Stretch::AddMetrics(const MetricTable& table, const TimeFilter& keep) {
  const ColumnMetric* known = table.front ? kFrontColumns : kPodColumns;
  const size_t known_count = table.front ? std::size(kFrontColumns) : std::size(kPodColumns);
  std::vector<const ColumnMetric*> mapping(table.columns.size(), nullptr);
  for (size_t c = 0; c < table.columns.size(); ++c) {
    for (size_t k = 0; k < known_count; ++k) {
      if (table.columns[c] == known[k].column) mapping[c] = &known[k];
    }
    const bool node_column = table.columns[c].rfind("Node", 0) == 0;
    if (mapping[c] == nullptr && !node_column) ++stats_.unknown_columns;
  }
  const uint32_t resource =
      table.front ? ResourceFor(table.source, "") : ResourceFor(ServiceOfPod(table.source), table.source);
  for (const MetricTable::Row& row : table.rows) {
    if (!keep(row.time_ns)) continue;
    Collection c;
    c.resource = resource;
    c.time_ns = row.time_ns;
    for (size_t i = 0; i < mapping.size() && i < row.values.size(); ++i) {
      if (mapping[i] == nullptr) continue;
      if (!std::isfinite(row.values[i])) {
        ++stats_.missing_values;
        continue;
      }
      model::Metric m;
      m.name = std::string(mapping[i]->name);
      m.unit = std::string(mapping[i]->unit);
      m.type = model::MetricType::kGauge;
      model::MetricPoint p;
      p.time_unix_nano = row.time_ns;
      p.value = row.values[i] * mapping[i]->scale;
      if (!mapping[i]->attribute_key.empty()) {
        p.attributes.push_back({std::string(mapping[i]->attribute_key), {std::string(mapping[i]->attribute_value)}});
      }
      m.points.push_back(std::move(p));
      c.metrics.push_back(std::move(m));
      ++stats_.metric_points;
    }
    ++stats_.metric_rows;
    if (c.metrics.empty()) continue;
    Note(row.time_ns);
    collections_.push_back(std::move(c));
  }
}

std::vector<model::Batch> Stretch::Export(int64_t shift_ns, const ExportOptions& options) const {
  const uint64_t interval = std::max<uint64_t>(options.interval_ns, 1);
  const size_t max_batch = std::max<size_t>(options.max_batch, 1);
  // The send time of an item that became ready at `ready` in exporter (resource, signal).
  auto send_time = [&](uint32_t resource, Signal signal, uint64_t ready) {
    const uint64_t phase = Fnv1a(resource_names_[resource], signal) % interval;
    if (ready <= phase) return phase;
    return phase + (ready - phase + interval - 1) / interval * interval;
  };
  // One export: (send time, resource name, signal, resource) -> items, by index.
  using Key = std::tuple<uint64_t, std::string_view, uint8_t, uint32_t>;
  std::map<Key, std::vector<size_t>> exports;
  for (size_t i = 0; i < spans_.size(); ++i) {
    const auto& [resource, span] = spans_[i];
    exports[{send_time(resource, kTraces, span.end_time_unix_nano), resource_names_[resource], kTraces, resource}]
        .push_back(i);
  }
  for (size_t i = 0; i < logs_.size(); ++i) {
    const auto& [resource, log] = logs_[i];
    exports[{send_time(resource, kLogs, log.time_unix_nano), resource_names_[resource], kLogs, resource}].push_back(i);
  }
  for (size_t i = 0; i < collections_.size(); ++i) {
    const Collection& c = collections_[i];
    exports[{c.time_ns, resource_names_[c.resource], kMetrics, c.resource}].push_back(i);
  }

  std::vector<model::Batch> out;
  for (auto& [key, items] : exports) {
    const auto signal = static_cast<Signal>(std::get<2>(key));
    const uint32_t resource = std::get<3>(key);
    // Oldest first, as an exporter's queue holds them.
    auto time_of = [&](size_t i) {
      return signal == kTraces ? spans_[i].second.end_time_unix_nano
             : signal == kLogs ? logs_[i].second.time_unix_nano
                               : collections_[i].time_ns;
    };
    std::stable_sort(items.begin(), items.end(), [&](size_t a, size_t b) { return time_of(a) < time_of(b); });
    for (size_t begin = 0; begin < items.size(); begin += max_batch) {
      const size_t end = signal == kMetrics ? items.size() : std::min(items.size(), begin + max_batch);
      model::Batch b;
      b.resources.push_back(resources_[resource]);
      b.scopes.emplace_back();
      b.scopes.back().name = kScopeName;
      for (size_t k = begin; k < end; ++k) {
        const size_t i = items[k];
        if (signal == kTraces) {
          model::Span s = spans_[i].second;
          s.start_time_unix_nano = Shifted(s.start_time_unix_nano, shift_ns);
          s.end_time_unix_nano = Shifted(s.end_time_unix_nano, shift_ns);
          b.spans.push_back(std::move(s));
        } else if (signal == kLogs) {
          model::LogRecord l = logs_[i].second;
          l.time_unix_nano = Shifted(l.time_unix_nano, shift_ns);
          l.observed_time_unix_nano = Shifted(l.observed_time_unix_nano, shift_ns);
          b.logs.push_back(std::move(l));
        } else {
          for (model::Metric m : collections_[i].metrics) {
            for (auto& p : m.points) p.time_unix_nano = Shifted(p.time_unix_nano, shift_ns);
            b.metrics.push_back(std::move(m));
          }
        }
      }
      out.push_back(std::move(b));
      if (signal == kMetrics) break;
    }
  }
  return out;
}

}  // namespace augur::eval::nezha
