// Scoring root-cause ranking on the Nezha TrainTicket benchmark (FSE 2023):
// which insight answers a fault, the services it ranks, and AS@k, plus the
// time windows a run replays and learns from.
//
// AS@k (Nezha's metric at service level): the share of faults whose
// injected service is among the first k ranked services. A fault with no
// answer counts as a miss at every k.
//
// Which insight answers a fault (one rule for every fault, no tuning per
// fault): among the REACTIVE insights active at the injection, i.e. holding
// an anomaly whose onset lies in [inject - tolerance, window end), the one
// augur's product would have an operator look at first
// (insight::AttendFirst: the strongest anomaly, then severity, reach and
// the earliest start). The tolerance covers detectors that stamp a point
// with the start of its interval (a 5 s bucket, a 1 min metric row). An
// insight opened by something earlier counts once an anomaly after the
// injection joined it, and then ranks everything it holds. Insights
// merged into another are closed with no anomalies, so they never answer.
// (Until session 6 the answer was the insight whose earliest onset in
// that range came first: an order the product does not show, and one
// that let noise a few seconds before the injection answer.)
//
// Its ranking is its candidate list (model::Insight::candidates, best
// first), read as services: each candidate's service (or its dependency
// when it names no service), duplicates dropped, order kept.
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval/nezha_data.h"
#include "model/insight.h"

namespace augur::eval::nezha {

// The insight that answers a fault (rule above), or nullptr.
const model::Insight* PickInsight(std::span<const model::Insight> insights, uint64_t inject_ns, uint64_t tolerance_ns,
                                  uint64_t window_end_ns);

// The insight's ranking as services, best first, without duplicates.
std::vector<std::string> RankedServices(const model::Insight& insight);

// 1-based position of `service` in `ranked`; 0 when absent.
int RankOf(std::span<const std::string> ranked, std::string_view service);

struct AccuracyAtK {
  size_t faults = 0;
  double as1 = 0, as3 = 0, as5 = 0;  // percent
};
// ranks: one per fault, RankOf's value (0 = miss).
AccuracyAtK ScoreAtK(std::span<const int> ranks);

struct Window {
  uint64_t from_ns = 0;
  uint64_t to_ns = 0;  // exclusive
};
// The replay window of day_faults[i] (one day's faults in time order):
// from `before` before its injection, but not before the previous
// injection of the day, to `after` after it, or to the next injection of
// the day when that comes sooner, so that a case never holds the next
// fault, nor the moment the previous one was injected.
Window FaultWindow(std::span<const Fault> day_faults, size_t i, uint64_t before_ns, uint64_t after_ns);

// One fault of a day replayed online (bench/nezha_run): one engine learns
// the day in event-time order, and at `warm_from_ns` its state is copied
// (Engine::SaveState / LoadState) into the engine that judges the fault: it
// learns on through the warm-up [warm_from_ns, window.from_ns) and then
// sees the window. So each fault is judged by an engine that has seen only
// what came before its window, and never the next fault.
struct OnlineCase {
  size_t fault = 0;           // index into the day's faults
  Window window;              // FaultWindow(day_faults, fault, before, after)
  uint64_t warm_from_ns = 0;  // window.from_ns - warm (0 if that is earlier)
};
// The cases of one day's faults (in time order), ordered by warm_from_ns
// (then by fault), the order in which one engine meets their checkpoints.
std::vector<OnlineCase> OnlineCases(std::span<const Fault> day_faults, uint64_t before_ns, uint64_t after_ns,
                                    uint64_t warm_ns);

// Whether time t lies outside [inject - before, inject + after) of every
// fault in `faults`: fault-free, by a margin, for learning what is normal.
bool FaultFree(std::span<const Fault> faults, uint64_t t, uint64_t before_ns, uint64_t after_ns);

// When the day's load stopped: the last row time at which at least half of
// the pod tables that have a PodWorkload(Ops) column show a workload above
// zero (TrainTicket's load generator stops at 16:00 UTC on both days; the
// backends then idle for eight hours, which is not their normal). 0 when
// no table has the column.
uint64_t LoadEnd(std::span<const MetricTable> tables);

}  // namespace augur::eval::nezha
