#include "eval/loghub.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace augur::eval {
namespace {

namespace fs = std::filesystem;

std::vector<LoghubLine> Truth(std::initializer_list<const char*> ids) {
  std::vector<LoghubLine> out;
  for (const char* id : ids) out.push_back(LoghubLine{"msg", id, std::string("T") + id});
  return out;
}

TEST(LoghubScoreTest, MatchesTheLogparserDefinitions) {
  // truth A A B B C, predicted 1 1 2 3 3: real pairs 2 (AA, BB), predicted
  // pairs 2 (11, 33), accurate pairs 1 (the AA pair in group 1). Only group 1
  // holds exactly one event, all of it: GA = 2/5.
  const auto truth = Truth({"A", "A", "B", "B", "C"});
  const std::vector<uint64_t> ids = {1, 1, 2, 3, 3};
  const std::vector<std::string> templates = {"TA", "TA", "TB", "x", "TC"};
  auto s = ScoreParsing(truth, ids, templates);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lines, 5u);
  EXPECT_DOUBLE_EQ(s->grouping_accuracy, 0.4);
  EXPECT_DOUBLE_EQ(s->precision, 0.5);
  EXPECT_DOUBLE_EQ(s->recall, 0.5);
  EXPECT_DOUBLE_EQ(s->f1, 0.5);
  EXPECT_DOUBLE_EQ(s->parsing_accuracy, 0.8);
}

TEST(LoghubScoreTest, PerfectAndAllInOne) {
  const auto truth = Truth({"A", "B", "A", "C", "B", "A"});
  auto perfect = ScoreParsing(truth, std::vector<uint64_t>{7, 9, 7, 3, 9, 7},
                              std::vector<std::string>{"TA", "TB", "TA", "TC", "TB", "TA"});
  ASSERT_TRUE(perfect.ok());
  EXPECT_DOUBLE_EQ(perfect->grouping_accuracy, 1);
  EXPECT_DOUBLE_EQ(perfect->f1, 1);
  EXPECT_DOUBLE_EQ(perfect->parsing_accuracy, 1);
  // Everything in one group: no line is grouped right; precision = 4 true
  // pairs of 15, recall 1.
  auto one = ScoreParsing(truth, std::vector<uint64_t>(6, 1), std::vector<std::string>(6, "x"));
  ASSERT_TRUE(one.ok());
  EXPECT_DOUBLE_EQ(one->grouping_accuracy, 0);
  EXPECT_DOUBLE_EQ(one->precision, 4.0 / 15.0);
  EXPECT_DOUBLE_EQ(one->recall, 1);
  EXPECT_DOUBLE_EQ(one->parsing_accuracy, 0);
}

TEST(LoghubScoreTest, SkipsLinesWithoutEventAndChecksSizes) {
  auto truth = Truth({"A", "", "A"});
  auto s = ScoreParsing(truth, std::vector<uint64_t>{1, 2, 1}, std::vector<std::string>{"TA", "", "TA"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lines, 2u);
  EXPECT_DOUBLE_EQ(s->grouping_accuracy, 1);
  EXPECT_FALSE(ScoreParsing(truth, std::vector<uint64_t>{1, 2}, std::vector<std::string>{"", "", ""}).ok());
}

TEST(LoghubCsvTest, SplitsQuotedFields) {
  auto f = SplitCsvRecord(R"(1,plain,"with, comma","say ""hi""",,last)");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 6u);
  EXPECT_EQ((*f)[2], "with, comma");
  EXPECT_EQ((*f)[3], "say \"hi\"");
  EXPECT_EQ((*f)[4], "");
  EXPECT_EQ((*f)[5], "last");
  EXPECT_FALSE(SplitCsvRecord(R"(a,"open)").ok());
  auto trailing = SplitCsvRecord("a,");
  ASSERT_TRUE(trailing.ok());
  EXPECT_EQ(trailing->size(), 2u);
}

TEST(LoghubCsvTest, ReadsColumnsByName) {
  const fs::path dir = fs::temp_directory_path() / ("loghub_test_" + std::to_string(::getpid()));
  fs::create_directories(dir / "Sys");
  const fs::path file = LoghubStructuredPath(dir, "Sys");
  EXPECT_EQ(file, dir / "Sys" / "Sys_2k.log_structured.csv");
  {
    std::ofstream out(file, std::ios::binary);
    out << "LineId,EventTemplate,Content,EventId\r\n"
        << "1,\"a <*>, b\",\"a 1, b\",E1\r\n"
        << "2,x <*>,\"x \"\"2\"\"\nmore\",E2\r\n";
  }
  auto lines = ReadLoghubStructured(file);
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].content, "a 1, b");
  EXPECT_EQ((*lines)[0].event_id, "E1");
  EXPECT_EQ((*lines)[0].event_template, "a <*>, b");
  EXPECT_EQ((*lines)[1].content, "x \"2\"\nmore");
  EXPECT_EQ(ReadLoghubStructured(dir / "missing.csv").status().code(), Status::Code::kNotFound);
  {
    std::ofstream out(file, std::ios::binary);
    out << "LineId,Content\n1,a\n";
  }
  EXPECT_EQ(ReadLoghubStructured(file).status().code(), Status::Code::kInvalidArgument);
  fs::remove_all(dir);
}

// The shared data, when present: every system reads and scores itself perfectly.
TEST(LoghubCsvTest, SharedDataReadsWhenPresent) {
  const fs::path dir = AUGUR_LOGHUB_DIR;
  if (!fs::exists(dir)) GTEST_SKIP() << "no loghub data at " << dir;
  for (const std::string& system : LoghubSystems()) {
    auto lines = ReadLoghubStructured(LoghubStructuredPath(dir, system));
    ASSERT_TRUE(lines.ok()) << lines.status().ToString();
    EXPECT_EQ(lines->size(), 2000u) << system;
    std::vector<uint64_t> ids;
    std::vector<std::string> templates;
    for (const LoghubLine& l : *lines) {
      ids.push_back(std::hash<std::string>()(l.event_id));
      templates.push_back(l.event_template);
    }
    auto s = ScoreParsing(*lines, ids, templates);
    ASSERT_TRUE(s.ok());
    EXPECT_DOUBLE_EQ(s->grouping_accuracy, 1) << system;
    EXPECT_DOUBLE_EQ(s->parsing_accuracy, 1) << system;
  }
}

}  // namespace
}  // namespace augur::eval
