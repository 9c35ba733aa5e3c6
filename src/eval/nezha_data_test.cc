#include "eval/nezha_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace augur::eval::nezha {
namespace {

namespace fs = std::filesystem;

class NezhaDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nezha_data_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  fs::path dir_;
};

TEST(NezhaServiceTest, StripsReplicaSetHashAndPodSuffix) {
  EXPECT_EQ(ServiceOfPod("ts-ui-dashboard-5477b965f-2chkr"), "ts-ui-dashboard");
  EXPECT_EQ(ServiceOfPod("ts-contacts-service-866bd68c97-xcqfx"), "ts-contacts-service");
  EXPECT_EQ(ServiceOfPod("a-b"), "a");
  EXPECT_EQ(ServiceOfPod("frontend"), "frontend");
}

TEST(NezhaTimeTest, ReadsWallClockAsUtc) {
  auto t = ParseUtc("2023-01-29 08:43:04");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1674981784ULL * 1'000'000'000ULL);
  auto minute = ParseUtc("2023-01-29 08:43");
  ASSERT_TRUE(minute.ok());
  EXPECT_EQ(*minute, *t - 4'000'000'000ULL);
  EXPECT_FALSE(ParseUtc("2023-01-29T08:43:04").ok());
  EXPECT_FALSE(ParseUtc("yesterday").ok());
}

TEST_F(NezhaDataTest, FaultListIsSortedAndUsesInjectTimeNotTimestamp) {
  const auto p = Write("f.json", R"({
    "09": [{"inject_time": "2023-01-29 09:03:53", "inject_timestamp": "1674954273",
            "inject_pod": "ts-basic-service-5dc8d4f9fd-46997", "inject_type": "return"}],
    "08": [{"inject_time": "2023-01-29 08:43:04", "inject_timestamp": "1674953044",
            "inject_pod": "ts-contacts-service-866bd68c97-xcqfx", "inject_type": "exception"}]})");
  auto faults = ReadFaultList(p, "2023-01-29");
  ASSERT_TRUE(faults.ok()) << faults.status().ToString();
  ASSERT_EQ(faults->size(), 2u);
  EXPECT_EQ((*faults)[0].service, "ts-contacts-service");
  EXPECT_EQ((*faults)[0].type, "exception");
  EXPECT_EQ((*faults)[0].inject_ns, *ParseUtc("2023-01-29 08:43:04"));
  EXPECT_EQ((*faults)[1].pod, "ts-basic-service-5dc8d4f9fd-46997");
  EXPECT_EQ((*faults)[1].day, "2023-01-29");

  EXPECT_EQ(ReadFaultList(dir_ / "missing.json", "d").status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(ReadFaultList(Write("bad.json", R"({"08": [{"inject_pod": "x"}]})"), "d").ok());
}

TEST_F(NezhaDataTest, ReadsTraceRowsByHeaderName) {
  const auto p = Write("t.csv",
                       "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration\n"
                       "aa,01,root,ts-a-1-2,/*,100,250,150\n"
                       "aa,02,01,ts-b-3-4,\"GET /x, y\",120,200,80\n");
  auto rows = ReadTraceCsv(p);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].parent_id, "root");
  EXPECT_EQ((*rows)[1].operation, "GET /x, y");
  EXPECT_EQ((*rows)[1].pod, "ts-b-3-4");
  EXPECT_EQ((*rows)[1].start_ns, 120u);
  EXPECT_EQ((*rows)[1].end_ns, 200u);
  EXPECT_FALSE(ReadTraceCsv(Write("bad.csv", "TraceID,SpanID\naa,01\n")).ok());
  EXPECT_FALSE(ReadTraceCsv(Write("badtime.csv",
                                  "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano\n"
                                  "aa,01,root,p,op,x,2\n"))
                   .ok());
}

TEST_F(NezhaDataTest, LogBodyAndSeverityComeFromTheApplicationLine) {
  const std::string header = "Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log\n";
  const std::string good =
      "t,1674982122425293566,10.0.0.1,ts-travel-service-6-2,server,49a5,083e,"
      "\"{\"\"log\"\":\"\"16:48:42.424 ERROR  t.s.TravelServiceImpl#532 boom "
      "[x]\\n\"\",\"\"stream\"\":\"\"stdout\"\"}\"\n";
  // Two records glued together, as a few in the data set are: the first complete object counts.
  const std::string glued =
      "t,5,n,ts-user-service-1-2,server,,,"
      "\"{\"\"log\"\":\"\"18:06:03.361 WARN  u.c.UserController#48 hi\\n\"\",\"\"time\"\":\"\"z\"\"}tail\\n\"\"\"\n";
  const std::string plain = "t,6,n,ts-user-service-1-2,server,,,not json at all\n";
  // A garbled TimeUnixNano: the Timestamp column (UTC, its zone sometimes missing) stands in.
  const std::string garbled = "2023-01-29T09:20:29.295,-6795364578871345152,n,ts-user-service-1-2,server,,,x\n";
  auto rows = ReadLogCsv(Write("l.csv", header + good + glued + plain + garbled));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[3].time_ns, 1674984029295000000ULL);
  EXPECT_FALSE(ReadLogCsv(Write("bad.csv", header + "never,-1,n,p,c,,,x\n")).ok());
  EXPECT_EQ((*rows)[0].time_ns, 1674982122425293566ULL);
  EXPECT_EQ((*rows)[0].body, "16:48:42.424 ERROR  t.s.TravelServiceImpl#532 boom [x]");
  EXPECT_EQ((*rows)[0].severity_number, 17);
  EXPECT_EQ((*rows)[0].severity_text, "ERROR");
  EXPECT_EQ((*rows)[0].trace_id, "49a5");
  EXPECT_EQ((*rows)[0].container, "server");
  EXPECT_EQ((*rows)[1].body, "18:06:03.361 WARN  u.c.UserController#48 hi");
  EXPECT_EQ((*rows)[1].severity_number, 13);
  EXPECT_TRUE((*rows)[1].trace_id.empty());
  EXPECT_EQ((*rows)[2].body, "not json at all");
  EXPECT_EQ((*rows)[2].severity_number, 0);  // "json" is no level
}

TEST_F(NezhaDataTest, MetricTablesOfPodsAndFrontEnd) {
  const auto pod = Write("m/ts-a-service-1-2_metric.csv",
                         "Time,TimeStamp,PodName,CpuUsageRate(%),PodServerLatencyP90(s),NodeCpuUsageRate(%)\n"
                         "2023-01-29 08:41:09 +0000 UTC,1674981669,ts-a-service-1-2,2.5,0.02,8\n"
                         "2023-01-29 08:42:09 +0000 UTC,1674981729,ts-a-service-1-2,3.5,NaN,9\n");
  auto t = ReadMetricCsv(pod);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(t->front);
  EXPECT_EQ(t->source, "ts-a-service-1-2");
  EXPECT_EQ(t->columns, (std::vector<std::string>{"CpuUsageRate(%)", "PodServerLatencyP90(s)", "NodeCpuUsageRate(%)"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1].time_ns, 1674981729ULL * 1'000'000'000ULL);
  EXPECT_DOUBLE_EQ(t->rows[1].values[0], 3.5);
  EXPECT_TRUE(std::isnan(t->rows[1].values[1]));

  Write("m/front_service.csv",
        "Time,TimeStamp,ServiceName,SuccessRate(%),LatencyP50(s)\nx,1674981669,Frontend,0,0.09\n");
  auto all = ReadMetricDir(dir_ / "m");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].source, "Frontend");  // sorted by source
  EXPECT_TRUE((*all)[0].front);
  EXPECT_FALSE(ReadMetricCsv(Write("x.csv", "Time,TimeStamp,Other\nx,1,2\n")).ok());
}

TEST_F(NezhaDataTest, MinuteFilesInTimeOrder) {
  Write("trace/09_03_trace.csv", "");
  Write("trace/08_45_trace.csv", "");
  Write("trace/notes.txt", "");
  Write("trace/08_45_log.csv", "");
  auto files = ListMinuteFiles(dir_ / "trace", "2023-01-29", "trace");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].minute_ns, *ParseUtc("2023-01-29 08:45"));
  EXPECT_EQ((*files)[1].path.filename(), "09_03_trace.csv");
  EXPECT_FALSE(ListMinuteFiles(dir_ / "none", "2023-01-29", "trace").ok());
}

}  // namespace
}  // namespace augur::eval::nezha
