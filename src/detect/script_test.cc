// Runs every detector test script in testdata/ (see script.h for the
// language): one gtest per file, failures name the file and line.

#include "detect/script.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "detect/script_run.h"
#include "gtest/gtest.h"

namespace augur::detect::script {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> TestFiles() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(AUGUR_DETECT_TESTDATA)) {
    if (entry.path().extension() == ".test") out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ScriptTest : public testing::TestWithParam<std::string> {};

TEST_P(ScriptTest, Passes) {
  const fs::path path = fs::path(AUGUR_DETECT_TESTDATA) / GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  auto script = Parse(GetParam(), text.str());
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  for (const Series& s : script->series) {
    const Outcome out = script::Run(GetParam(), s);
    EXPECT_GT(out.points, 0) << GetParam() << ": series " << s.name << " has no points";
    for (const std::string& f : out.failures) ADD_FAILURE() << f;
  }
}

INSTANTIATE_TEST_SUITE_P(Testdata, ScriptTest, testing::ValuesIn(TestFiles()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

// The language itself.
TEST(ScriptParse, ReadsTheExample) {
  auto s = Parse("x.test",
                 "# step\n"
                 "series cpu interval=10s\n"
                 "  load 0..359: 50 +- 2 seed=1\n"
                 "  load 360..420: 80 +- 2\n"
                 "expect anomaly kind=metric_level direction=up onset=360 raised<=362\n"
                 "expect no anomaly in 0..359\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->series.size(), 1u);
  const Series& c = s->series[0];
  EXPECT_EQ(c.interval_ns, 10'000'000'000u);
  ASSERT_EQ(c.loads.size(), 2u);
  EXPECT_EQ(c.loads[0].seed, 1u);
  EXPECT_EQ(c.loads[1].seed, 4u);  // the line number
  EXPECT_DOUBLE_EQ(c.loads[0].value.noise_sd, 2);
  ASSERT_EQ(c.expects.size(), 2u);
  EXPECT_EQ(*c.expects[0].kind, Kind::kMetricLevel);
  EXPECT_EQ(c.expects[0].onset->lo, 360);
  EXPECT_EQ(c.expects[0].raised->hi, 362);
  EXPECT_EQ(c.expects[1].type, Expect::kNoAnomaly);
  EXPECT_EQ(c.expects[1].in.hi, 359);
}

TEST(ScriptParse, Expressions) {
  auto s = Parse("x.test",
                 "series a kind=traffic interval=1m\n"
                 "load 0..9: 100 + sine(20, 1d) - ramp(0, 10) ~poisson\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Expr& e = s->series[0].loads[0].value;
  ASSERT_EQ(e.terms.size(), 3u);
  EXPECT_EQ(e.terms[1].type, Term::kSine);
  EXPECT_DOUBLE_EQ(e.terms[1].b, 86400);
  EXPECT_DOUBLE_EQ(e.terms[2].b, -10);
  EXPECT_TRUE(e.poisson);
}

TEST(ScriptParse, ErrorsNameTheLine) {
  auto s = Parse("bad.test", "series a\nload 0..9: 50 +\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("bad.test:2:"), std::string::npos) << s.status().message();
  EXPECT_FALSE(Parse("bad.test", "load 0..9: 1\n").ok());
  EXPECT_FALSE(Parse("bad.test", "series a kind=cpu\n").ok());
  EXPECT_FALSE(Parse("bad.test", "series a\nexpect anomaly kind=nope\n").ok());
  EXPECT_FALSE(Parse("bad.test", "series a kind=latency\nload 0..9: requests=5\n").ok());
}

TEST(ScriptParse, Durations) {
  double s;
  ASSERT_TRUE(ParseDuration("120ms", &s));
  EXPECT_DOUBLE_EQ(s, 0.12);
  ASSERT_TRUE(ParseDuration("5m", &s));
  EXPECT_DOUBLE_EQ(s, 300);
  ASSERT_TRUE(ParseDuration("1w", &s));
  EXPECT_DOUBLE_EQ(s, 604800);
  EXPECT_FALSE(ParseDuration("5", &s));
  EXPECT_FALSE(ParseDuration("xs", &s));
}

}  // namespace
}  // namespace augur::detect::script
