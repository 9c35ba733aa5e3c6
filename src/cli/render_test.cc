#include "cli/render.h"

#include <gtest/gtest.h>

namespace augur::cli {
namespace {

using nlohmann::json;

TEST(Render, ShortTimeCutsFractionsAndTheT) {
  EXPECT_EQ(ShortTime("2026-11-24T04:03:45.123456789Z"), "2026-11-24 04:03:45");
  EXPECT_EQ(ShortTime(json()), "-");
  EXPECT_EQ(ShortTime("soon"), "soon");
}

TEST(Render, TableAlignsColumnsByCodePoints) {
  EXPECT_EQ(Table({{"A", "B", "C"}, {"→x", "long", ""}}), "A   B     C\n→x  long\n");
}

TEST(Render, EventShowsTheDiffWithUnknownOldValues) {
  json e = {
      {"id", "ev-1"},
      {"type", "DEPLOYMENT"},
      {"service", "writer"},
      {"version", "2"},
      {"previous_version", "1"},
      {"time", "2026-11-24T04:03:45Z"},
      {"source", "cli"},
      {"sources", {"cli", "telemetry"}},
      {"changes", {{{"key", "INJECT_LATENCY"}, {"old", "false"}, {"new", "true"}}, {{"key", "X"}, {"new", "1"}}}}};
  const std::string out = RenderEvent(e);
  EXPECT_NE(out.find("DEPLOYMENT ev-1 of writer → version 2 (was 1)"), std::string::npos) << out;
  EXPECT_NE(out.find("INJECT_LATENCY: false → true"), std::string::npos) << out;
  EXPECT_NE(out.find("X: (unknown) → 1"), std::string::npos) << out;
  EXPECT_NE(out.find("[\"cli\",\"telemetry\"]"), std::string::npos) << out;
}

TEST(Render, ListsSurviveMissingFieldsAndEmptyAnswers) {
  EXPECT_EQ(RenderEvents(json::object()), "no events\n");
  EXPECT_EQ(RenderAnomalies({{"anomalies", json::array()}}), "no anomalies\n");
  json answer = {{"anomalies",
                  {{{"id", "an-1"},
                    {"kind", "latency"},
                    {"direction", "up"},
                    {"status", "ongoing"},
                    {"score", 0.91234},
                    {"series",
                     {{"metric", "span.duration"},
                      {"service", "writer"},
                      {"operation", "SET"},
                      {"attributes", {{"peer", "redis"}}}}}},
                   {{"id", "an-2"}}}}};
  const std::string out = RenderAnomalies(answer);
  EXPECT_NE(out.find("span.duration SET → redis"), std::string::npos) << out;
  EXPECT_NE(out.find("0.912"), std::string::npos) << out;
  EXPECT_NE(out.find("an-2"), std::string::npos) << out;
}

}  // namespace
}  // namespace augur::cli
