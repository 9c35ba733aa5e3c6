#include "eval/nezha.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "insight/priority.h"

namespace augur::eval::nezha {

const model::Insight* PickInsight(std::span<const model::Insight> insights, uint64_t inject_ns, uint64_t tolerance_ns,
                                  uint64_t window_end_ns) {
  const uint64_t from = inject_ns > tolerance_ns ? inject_ns - tolerance_ns : 0;
  const model::Insight* best = nullptr;
  for (const model::Insight& in : insights) {
    if (in.type != "REACTIVE") continue;
    const bool active = std::any_of(in.anomalies.begin(), in.anomalies.end(), [&](const model::InsightAnomaly& m) {
      return m.anomaly.onset_ns >= from && m.anomaly.onset_ns < window_end_ns;
    });
    if (!active) continue;
    if (best == nullptr || insight::AttendFirst(in, *best)) best = &in;
  }
  return best;
}

std::vector<std::string> RankedServices(const model::Insight& insight) {
  std::vector<std::string> out;
  for (const auto& c : insight.candidates) {
    const std::string& name = c.service.empty() ? c.dependency : c.service;
    if (name.empty() || std::find(out.begin(), out.end(), name) != out.end()) continue;
    out.push_back(name);
  }
  return out;
}

int RankOf(std::span<const std::string> ranked, std::string_view service) {
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (ranked[i] == service) return static_cast<int>(i) + 1;
  }
  return 0;
}

AccuracyAtK ScoreAtK(std::span<const int> ranks) {
  AccuracyAtK a;
  a.faults = ranks.size();
  if (ranks.empty()) return a;
  size_t at1 = 0, at3 = 0, at5 = 0;
  for (int r : ranks) {
    if (r < 1) continue;
    at1 += r <= 1;
    at3 += r <= 3;
    at5 += r <= 5;
  }
  const double n = static_cast<double>(ranks.size());
  a.as1 = 100.0 * static_cast<double>(at1) / n;
  a.as3 = 100.0 * static_cast<double>(at3) / n;
  a.as5 = 100.0 * static_cast<double>(at5) / n;
  return a;
}

Window FaultWindow(std::span<const Fault> day_faults, size_t i, uint64_t before_ns, uint64_t after_ns) {
  const uint64_t t = day_faults[i].inject_ns;
  Window w{t > before_ns ? t - before_ns : 0, t + after_ns};
  for (const Fault& f : day_faults) {
    if (f.inject_ns > t) w.to_ns = std::min(w.to_ns, f.inject_ns);
    if (f.inject_ns < t) w.from_ns = std::max(w.from_ns, f.inject_ns);
  }
  return w;
}

std::vector<OnlineCase> OnlineCases(std::span<const Fault> day_faults, uint64_t before_ns, uint64_t after_ns,
                                    uint64_t warm_ns) {
  std::vector<OnlineCase> cases;
  for (size_t i = 0; i < day_faults.size(); ++i) {
    OnlineCase c;
    c.fault = i;
    c.window = FaultWindow(day_faults, i, before_ns, after_ns);
    c.warm_from_ns = c.window.from_ns > warm_ns ? c.window.from_ns - warm_ns : 0;
    cases.push_back(c);
  }
  // FaultWindow's starts already rise with the injections; sorting keeps the
  // checkpoints in event-time order even for a list that is not sorted.
  std::stable_sort(cases.begin(), cases.end(),
                   [](const OnlineCase& a, const OnlineCase& b) { return a.warm_from_ns < b.warm_from_ns; });
  return cases;
}

bool FaultFree(std::span<const Fault> faults, uint64_t t, uint64_t before_ns, uint64_t after_ns) {
  for (const Fault& f : faults) {
    const uint64_t from = f.inject_ns > before_ns ? f.inject_ns - before_ns : 0;
    if (t >= from && t < f.inject_ns + after_ns) return false;
  }
  return true;
}

uint64_t LoadEnd(std::span<const MetricTable> tables) {
  // time -> (tables with a row then, of which busy)
  std::map<uint64_t, std::pair<int, int>> by_time;
  int with_column = 0;
  for (const MetricTable& t : tables) {
    if (t.front) continue;
    const auto it = std::find(t.columns.begin(), t.columns.end(), "PodWorkload(Ops)");
    if (it == t.columns.end()) continue;
    ++with_column;
    const size_t c = static_cast<size_t>(it - t.columns.begin());
    for (const auto& row : t.rows) {
      // Rows of one collection are seconds apart; count them in one minute.
      auto& [rows, busy] = by_time[row.time_ns / 60'000'000'000ULL];
      ++rows;
      busy += c < row.values.size() && row.values[c] > 0;
    }
  }
  if (with_column == 0) return 0;
  uint64_t end = 0;
  for (const auto& [minute, counts] : by_time) {
    if (2 * counts.second >= with_column) end = (minute + 1) * 60'000'000'000ULL;
  }
  return end;
}

}  // namespace augur::eval::nezha
