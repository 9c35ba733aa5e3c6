#include "logs/log_rules.h"

#include <gtest/gtest.h>

namespace augur::logs {
namespace {

uint32_t Bit(Keyword k) {
  return 1u << k;
}

TEST(EffectiveSeverityTest, NumberWinsTextFillsIn) {
  EXPECT_EQ(EffectiveSeverity(17, "info"), 17);
  EXPECT_EQ(EffectiveSeverity(0, "warning"), kSeverityWarn);
  EXPECT_EQ(EffectiveSeverity(0, "WARN"), kSeverityWarn);
  EXPECT_EQ(EffectiveSeverity(0, "SEVERE"), kSeverityError);
  EXPECT_EQ(EffectiveSeverity(0, "Err"), kSeverityError);
  EXPECT_EQ(EffectiveSeverity(0, "Critical"), kSeverityFatal);
  EXPECT_EQ(EffectiveSeverity(0, "FATAL"), kSeverityFatal);
  EXPECT_EQ(EffectiveSeverity(0, "notice"), kSeverityInfo);
  EXPECT_EQ(EffectiveSeverity(0, "debug"), kSeverityDebug);
  EXPECT_EQ(EffectiveSeverity(0, "finest"), 1);
  EXPECT_EQ(EffectiveSeverity(0, ""), 0);
  EXPECT_EQ(EffectiveSeverity(0, "verbose"), 0);
  EXPECT_EQ(EffectiveSeverity(200, ""), 24);
}

TEST(FindKeywordsTest, WordsCamelCaseAndPhrases) {
  EXPECT_EQ(FindKeywords("dial tcp <*>: connect: connection refused"), Bit(kKwRefused));
  EXPECT_EQ(FindKeywords("request to <*> timed out after <*> ms"), Bit(kKwTimeout));
  EXPECT_EQ(FindKeywords("java.lang.NullPointerException at Foo.bar"), Bit(kKwException));
  EXPECT_EQ(FindKeywords("TypeError: x is undefined"), Bit(kKwError));
  EXPECT_EQ(FindKeywords("ERROR writing item"), Bit(kKwError));
  EXPECT_EQ(FindKeywords("Out of memory: Killed process <*>"), Bit(kKwOutOfMemory) | Bit(kKwKilled));
  EXPECT_EQ(FindKeywords("connect ECONNREFUSED <*>"), Bit(kKwRefused));
  EXPECT_EQ(FindKeywords("rpc error: code = DeadlineExceeded desc = deadline exceeded"),
            Bit(kKwError) | Bit(kKwTimeout));
  EXPECT_EQ(FindKeywords("permission denied for table items"), Bit(kKwDenied));
  EXPECT_EQ(FindKeywords("goroutine panic: runtime error"), Bit(kKwPanic) | Bit(kKwError));
  EXPECT_EQ(FindKeywords("Segmentation fault (core dumped)"), Bit(kKwCrash));
}

TEST(FindKeywordsTest, NotInOtherWordsNorNegated) {
  EXPECT_EQ(FindKeywords("user <*> logged in from <*>"), 0u);
  EXPECT_EQ(FindKeywords("mirror of terror errorless"), 0u);
  EXPECT_EQ(FindKeywords("finished with no errors"), 0u);
  EXPECT_EQ(FindKeywords("completed without failures"), 0u);
  EXPECT_EQ(FindKeywords("0 errors, 0 failures"), 0u);
  // A value between "no" and the keyword breaks the negation: "<*> errors" may be 12 errors.
  EXPECT_EQ(FindKeywords("finished with <*> errors"), Bit(kKwError));
  EXPECT_EQ(FindKeywords(""), 0u);
}

TEST(FindKeywordsTest, LongTextScansEveryWord) {
  std::string text;
  for (int i = 0; i < 600; ++i) text += "word ";
  text += "timed out";
  EXPECT_EQ(FindKeywords(text), Bit(kKwTimeout));
}

TEST(KeywordNameTest, Names) {
  EXPECT_EQ(KeywordName(kKwTimeout), "timeout");
  EXPECT_EQ(KeywordName(kKwOutOfMemory), "out of memory");
  EXPECT_EQ(KeywordName(-1), "");
  EXPECT_EQ(KeywordName(kKeywordCount), "");
}

TEST(FindHttpStatusTest, WhereCodesAreWritten) {
  EXPECT_EQ(FindHttpStatus(R"(10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /items HTTP/1.1" 503 123)"), 503);
  EXPECT_EQ(FindHttpStatus("request done status=404 path=/x"), 404);
  EXPECT_EQ(FindHttpStatus(R"({"status":500,"path":"/x"})"), 500);
  EXPECT_EQ(FindHttpStatus("HTTP 502 from upstream"), 502);
  EXPECT_EQ(FindHttpStatus("upstream returned 504"), 504);
  EXPECT_EQ(FindHttpStatus("got 503 Service Unavailable"), 503);
  EXPECT_EQ(FindHttpStatus("status: 429"), 429);
  EXPECT_EQ(FindHttpStatus("http.response.status_code=500 route=/items"), 500);
  EXPECT_EQ(FindHttpStatus("code=200"), 200);
}

TEST(FindHttpStatusTest, OtherNumbersAreNotCodes) {
  EXPECT_EQ(FindHttpStatus("took 503 ms"), 0);
  EXPECT_EQ(FindHttpStatus("listening on port 404"), 0);
  EXPECT_EQ(FindHttpStatus("status=5034"), 0);
  EXPECT_EQ(FindHttpStatus("status=700"), 0);
  EXPECT_EQ(FindHttpStatus("processed 500 items"), 0);
  EXPECT_EQ(FindHttpStatus(""), 0);
}

TEST(MayHoldHttpStatusTest, Filter) {
  EXPECT_TRUE(MayHoldHttpStatus(R"(<*> - - [<*>] "GET <*> HTTP/1.1" <*> <*>)"));
  EXPECT_TRUE(MayHoldHttpStatus("request done status=<*> path=<*>"));
  EXPECT_FALSE(MayHoldHttpStatus("user <*> logged in"));
  EXPECT_TRUE(MayHoldHttpStatus("upstream returned <*> Service Unavailable"));
  EXPECT_TRUE(MayHoldHttpStatus("GET /x HTTP/1.1 503"));  // not merged yet: the code is still a word
  EXPECT_FALSE(MayHoldHttpStatus("status ok"));           // no value to hold a code
  EXPECT_FALSE(MayHoldHttpStatus("reading response header from upstream, client: <*>"));
  EXPECT_FALSE(MayHoldHttpStatus("took <*> ms"));
}

TEST(HttpStatusFromIntTest, Range) {
  EXPECT_EQ(HttpStatusFromInt(503), 503);
  EXPECT_EQ(HttpStatusFromInt(99), 0);
  EXPECT_EQ(HttpStatusFromInt(600), 0);
}

}  // namespace
}  // namespace augur::logs
