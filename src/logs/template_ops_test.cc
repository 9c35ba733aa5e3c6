#include "logs/template_ops.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace augur::logs {
namespace {

using Tokens = std::vector<std::string_view>;

TEST(TemplateOpsTest, TokenFits) {
  EXPECT_TRUE(TokenFits("<*>", "anything"));
  EXPECT_TRUE(TokenFits("uid=<*>", "uid=0"));
  EXPECT_TRUE(TokenFits("uid=<*>", "uid=root"));
  EXPECT_FALSE(TokenFits("uid=<*>", "uid="));  // a value is at least one character
  EXPECT_FALSE(TokenFits("uid=<*>", "gid=0"));
  EXPECT_TRUE(TokenFits("(<*>:<*>)", "(a:b)"));
  EXPECT_FALSE(TokenFits("(<*>:<*>)", "(a:)"));
  EXPECT_TRUE(TokenFits("word", "word"));
  EXPECT_FALSE(TokenFits("word", "other"));
  EXPECT_FALSE(TokenFits(kSpan, "x"));
}

TEST(TemplateOpsTest, Compatible) {
  EXPECT_TRUE(Compatible("<*>", "admin"));  // a value against a word
  EXPECT_TRUE(Compatible("()", "(<*>)"));   // differ only where the value is
  EXPECT_TRUE(Compatible("rhost=", "rhost=<*>"));
  EXPECT_TRUE(Compatible("user=<*>", "user=mysql"));
  EXPECT_TRUE(Compatible("[<*>]", "[admin]"));
  EXPECT_FALSE(Compatible("admin", "root"));  // two words: not by this rule
  EXPECT_FALSE(Compatible("alt<*>", "scip<*>"));
  EXPECT_FALSE(Compatible("record.x=false", "count=<*>"));
}

TEST(TemplateOpsTest, OnlyValue) {
  EXPECT_TRUE(OnlyValue("<*>"));
  EXPECT_TRUE(OnlyValue("(<*>"));
  EXPECT_TRUE(OnlyValue("<*>),"));
  EXPECT_TRUE(OnlyValue(kSpan));
  EXPECT_FALSE(OnlyValue("user=<*>"));
  EXPECT_FALSE(OnlyValue("****"));
  EXPECT_FALSE(OnlyValue("sec"));
}

TEST(TemplateOpsTest, Generalize) {
  EXPECT_EQ(Generalize({"user=root", "user=admin", "user=guest"}), "user=<*>");
  EXPECT_EQ(Generalize({"root", "admin"}), "<*>");
  EXPECT_EQ(Generalize({"[root]", "[admin]"}), "[<*>]");
  EXPECT_EQ(Generalize({"com.apple.a.b:", "com.apple.c:"}), "com.apple.<*>:");
  EXPECT_EQ(Generalize({"rooted", "rootless"}), "<*>");  // prefix cut back to punctuation
  EXPECT_EQ(DigitSkeleton("IRQ12"), "IRQ<*>");
  EXPECT_EQ(DigitSkeleton("a1b22"), "a<*>b<*>");
  EXPECT_EQ(DigitSkeleton("word"), "word");
}

TEST(TemplateOpsTest, SpanMatch) {
  std::vector<uint8_t> scratch;
  const Tokens pattern = {"a", kSpan, "c", "<*>"};
  EXPECT_TRUE(SpanMatch(pattern, {"a", "c", "x"}, &scratch));
  EXPECT_TRUE(SpanMatch(pattern, {"a", "b", "b", "c", "x"}, &scratch));
  EXPECT_FALSE(SpanMatch(pattern, {"a", "b", "c"}, &scratch));
  EXPECT_FALSE(SpanMatch(pattern, {"z", "c", "x"}, &scratch));
  EXPECT_TRUE(SpanMatch({kSpan}, {}, &scratch));
}

TEST(TemplateOpsTest, AlignFindsGaps) {
  std::vector<AlignStep> steps;
  std::vector<uint16_t> scratch;
  const Tokens a = {"<*>", "bytes", "sent,", "lifetime", "<*>"};
  const Tokens b = {"<*>", "bytes", "(<*>", "<*>)", "sent,", "lifetime", "<<*>", "<*>"};
  Align(a, b, &steps, &scratch);
  // shared <*>, bytes; gap [] vs [(<*>, <*>)]; shared sent, lifetime; gap [<*>] vs [<<*>, <*>]... or shared <*>
  ASSERT_GE(steps.size(), 5u);
  EXPECT_TRUE(steps[0].shared);
  EXPECT_TRUE(steps[1].shared);
  ASSERT_FALSE(steps[2].shared);
  EXPECT_TRUE(steps[2].gap_a.empty());
  EXPECT_EQ(steps[2].gap_b, (Tokens{"(<*>", "<*>)"}));
  EXPECT_TRUE(steps[3].shared);
  EXPECT_EQ(steps[3].token, "sent,");
  size_t shared = 0, gap_tokens = 0;
  for (const AlignStep& s : steps) {
    shared += s.shared;
    gap_tokens += s.gap_a.size() + s.gap_b.size();
  }
  EXPECT_EQ(shared * 2 + gap_tokens, a.size() + b.size());
  EXPECT_EQ(shared, 5u);  // <*> bytes sent, lifetime <*>
}

TEST(TemplateOpsTest, AlignNeverSharesSpans) {
  std::vector<AlignStep> steps;
  std::vector<uint16_t> scratch;
  Align({kSpan, "x"}, {kSpan, "x"}, &steps, &scratch);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_FALSE(steps[0].shared);
  EXPECT_TRUE(steps[1].shared);
}

}  // namespace
}  // namespace augur::logs
