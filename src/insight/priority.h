// Which insight to look at first when several are open at once: the
// product's order of attention (the harness of bench/nezha_run answers a
// fault with the first insight in this order among those active at the
// injection, so what it scores is what an operator would be shown first).
//
// GET /api/v1/insights lists insights newest first, a time line; with
// `order=attention` it answers the other question: of the incidents going on now, which is most
// probably the one to act on. In order:
//  1. REACTIVE before PROACTIVE (something is wrong now before something
//     will go wrong);
//  2. the strongest anomaly (its score, to 0.01): how sure augur is that
//     something is abnormal at all. A group of small shifts on busy
//     services (a p50 up 20 %, a share of slow requests at its bar) is
//     more often noise than a process at 100 % CPU or a new ERROR pattern;
//  3. the strongest anomaly at its root cause (role "causal"): how sure
//     augur is of the place it names. An insight whose strongest anomaly
//     is a symptom and whose cause rests on small shifts is less
//     actionable than one whose cause is itself clearly abnormal;
//  4. severity (HIGH, MEDIUM, LOW): how far it reaches;
//  5. more services with anomalies, then more anomalies: the same, finer;
//  6. the earliest start: a cause precedes the symptoms it sets off;
//  7. the id, so the order is total and a replay gives the same order.
// Known limit: time counts only at 6, so among the insights open at once a
// lone strong anomaly raised minutes later (a new ERROR pattern) comes
// before an incident whose cause rests on small latency shifts.
//
// Pure; safe from any thread.
#pragma once

#include "model/insight.h"

namespace augur::insight {

// Whether `a` should be looked at before `b` (a strict weak order).
bool AttendFirst(const model::Insight& a, const model::Insight& b);

}  // namespace augur::insight
