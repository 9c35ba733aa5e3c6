#include "engine/engine.h"

#include <gtest/gtest.h>

#include "scenario/generator.h"
#include "scenario/spec.h"

namespace augur::engine {
namespace {

using scenario::kHour;
using scenario::kSecond;

constexpr uint64_t kStart = 1'767'225'600 * kSecond;

// Runs the article's experiment, restarting the engine (save → load) at
// `restart_at` exports when non-zero; returns every insight revision.
std::vector<model::Insight> RunExperiment(size_t restart_at) {
  const auto spec = scenario::InjectLatencyExperiment(3, kStart, 3 * kHour, kStart + 2 * kHour);
  auto engine = std::make_unique<Engine>();
  std::vector<model::Insight> insights;
  size_t n = 0;
  EXPECT_TRUE(scenario::Generate(spec, [&](scenario::Export& e) {
                if (restart_at != 0 && n++ == restart_at) {
                  const std::string state = engine->SaveState();
                  engine = std::make_unique<Engine>();
                  EXPECT_TRUE(engine->LoadState(state).ok());
                }
                engine->Add(e.batch);
                engine->TakeInsights(&insights);
              }).ok());
  return insights;
}

TEST(Engine, ARestartDoesNotRelearn) {
  const auto straight = RunExperiment(0);
  ASSERT_FALSE(straight.empty());
  // Restart an hour in (~720 span exports and more): the detectors keep
  // what they learned, so the fault is found the same way.
  const auto restarted = RunExperiment(2000);
  ASSERT_EQ(restarted.size(), straight.size());
  EXPECT_EQ(restarted.back().root_cause, straight.back().root_cause);
  EXPECT_EQ(restarted.back().start_ns, straight.back().start_ns);
}

TEST(Engine, RefusesStateItDidNotWrite) {
  Engine e;
  EXPECT_FALSE(e.LoadState("nonsense").ok());
}

}  // namespace
}  // namespace augur::engine
