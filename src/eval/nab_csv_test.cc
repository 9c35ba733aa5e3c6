#include "eval/nab_csv.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace augur::eval {
namespace {

std::filesystem::path WriteFile(const std::string& name, const std::string& text) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(NabCsv, ParsesNabTimestamps) {
  EXPECT_EQ(*ParseNabTimestamp("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(*ParseNabTimestamp("1970-01-02 00:00:01"), 86'401'000'000);
  // Label files add microseconds that data files leave out.
  EXPECT_EQ(*ParseNabTimestamp("2014-04-10 07:15:00.000000"), *ParseNabTimestamp("2014-04-10 07:15:00"));
  EXPECT_EQ(*ParseNabTimestamp("2014-04-10T07:15:00.5") - *ParseNabTimestamp("2014-04-10 07:15:00"), 500'000);
  EXPECT_EQ(*ParseNabTimestamp("2000-03-01 00:00:00") - *ParseNabTimestamp("2000-02-28 00:00:00"),
            2 * 86'400'000'000LL);  // leap year
}

TEST(NabCsv, RejectsBadTimestamps) {
  for (const char* bad :
       {"", "2014-04-10", "2014-04-10 07:15", "2014-02-30 00:00:00", "2014-04-10 24:00:00", "2014-04-10 07:15:00.",
        "2014-04-10 07:15:00.1234567", "2014/04/10 07:15:00", "2014-04-10 07:15:0x", "2014-04-10 -7:15:00"}) {
    EXPECT_FALSE(ParseNabTimestamp(bad).ok()) << bad;
  }
}

TEST(NabCsv, ReadsResultColumnsByName) {
  const auto path = WriteFile("results.csv",
                              "value,timestamp,label,anomaly_score\r\n"
                              "5,2015-01-01 00:00:00,0,0.25\r\n"
                              "6,2015-01-01 00:05:00,1,1.0\r\n");
  auto rows = ReadResults(path);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].timestamp_us - (*rows)[0].timestamp_us, 300'000'000);
  EXPECT_EQ((*rows)[0].anomaly_score, 0.25);
  EXPECT_EQ((*rows)[1].anomaly_score, 1.0);
  auto timestamps = ReadTimestamps(path);
  ASSERT_TRUE(timestamps.ok());
  EXPECT_EQ(timestamps->size(), 2u);
}

TEST(NabCsv, ReportsMissingFilesAndColumnsAndBadRows) {
  EXPECT_EQ(ReadResults("/nonexistent/x.csv").status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(ReadResults(WriteFile("nocol.csv", "timestamp,value\n2015-01-01 00:00:00,1\n")).ok());
  const auto bad = ReadResults(WriteFile("bad.csv", "timestamp,anomaly_score\n2015-01-01 00:00:00,0.1\nx,0.2\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":3:"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ReadResults(WriteFile("short.csv", "timestamp,anomaly_score\n2015-01-01 00:00:00\n")).ok());
  EXPECT_FALSE(ReadResults(WriteFile("nan.csv", "timestamp,anomaly_score\n2015-01-01 00:00:00,0.5x\n")).ok());
}

}  // namespace
}  // namespace augur::eval
