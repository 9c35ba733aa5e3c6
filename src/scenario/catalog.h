// Named scenarios: the variations of the article's experiment that augur
// must tell apart (issue 4), in one place, shared by the insight scenario
// tests (src/engine/scenario_test.cc), `augur replay` and the console tests.
//
// Each is the ServerlessApp (gateway, writer 5 req/s, reader 1 req/s, one
// table) from `start_ns` with `baseline_ns` of healthy traffic, then
// `fault_ns` of the named trouble starting at start_ns + baseline_ns:
//   article         writer v1 → v2 with INJECT_LATENCY false → true: +150–500 ms before each write
//   table-latency   every table call +150–500 ms; no deployment
//   deploy-errors   writer v1 → v2 with TABLE_NAME items → items-v2: 30 % of writes fail
//   harmless-deploy writer v1 → v2 with LOG_LEVEL info → debug: nothing changes
//   fault-no-deploy writer +150–500 ms with no deployment
//   two-faults      writer +200–600 ms, and 20 min later reader +200–600 ms
//   healthy-day     no trouble; daily swing ±50 %, heavy latency tails (fault_ns is ignored)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scenario/spec.h"

namespace augur::scenario {

std::vector<std::string_view> ScenarioNames();

// InvalidArgument for an unknown name.
StatusOr<ScenarioSpec> NamedScenario(std::string_view name, uint64_t seed, uint64_t start_ns, uint64_t baseline_ns,
                                     uint64_t fault_ns);

}  // namespace augur::scenario
