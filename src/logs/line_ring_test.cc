#include "logs/line_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace augur::logs {
namespace {

LineHeader Header(uint64_t seq) {
  LineHeader h;
  h.seq = seq;
  h.time_ns = 1000 + seq;
  h.template_id = seq % 7;
  h.trace_id[0] = static_cast<uint8_t>(seq);
  h.severity = static_cast<uint8_t>(seq % 24);
  h.flags = kLineKeyword;
  h.http_code = 503;
  return h;
}

std::vector<KeptLine> All(const LineRing& ring) {
  std::vector<KeptLine> out;
  ring.ForEach([&](const LineView& v) { out.emplace_back(v); });
  return out;
}

TEST(LineRingTest, KeepsTheNewestLinesThatFit) {
  LineRing ring(4096);
  for (uint64_t i = 1; i <= 1000; ++i) {
    ring.Push(Header(i), i % 3 == 0 ? "warning" : "", "line number " + std::to_string(i) + std::string(i % 50, 'x'));
    const auto lines = All(ring);
    ASSERT_EQ(lines.size(), ring.size());
    ASSERT_FALSE(lines.empty());
    // Consecutive, ending with the newest; the bytes they take fit the ring.
    size_t bytes = 0;
    for (size_t k = 0; k < lines.size(); ++k) {
      ASSERT_EQ(lines[k].seq, i - (lines.size() - 1 - k));
      bytes += lines[k].body.size() + lines[k].severity_text.size() + LineRing::kHeaderBytes;
    }
    ASSERT_LE(bytes, 4096u);
    if (i > 100) {
      ASSERT_GT(bytes, 4096u / 2);  // and most of it is used
    }
  }
  const auto last = All(ring).back();
  EXPECT_EQ(last.body, "line number 1000" + std::string(1000 % 50, 'x'));
  EXPECT_EQ(last.time_ns, 2000u);
  EXPECT_EQ(last.template_id, 1000u % 7);
  EXPECT_EQ(last.trace_id[0], static_cast<uint8_t>(1000));
  EXPECT_EQ(last.http_code, 503);
  EXPECT_EQ(last.flags, kLineKeyword);
  EXPECT_EQ(All(ring)[0].severity_text, All(ring)[0].seq % 3 == 0 ? "warning" : "");
}

TEST(LineRingTest, LongTextsAreCutAndTinyRingsKeepNothing) {
  LineRing ring(1024);
  ring.Push(Header(1), "a very long severity text indeed", std::string(5000, 'b'));
  const auto lines = All(ring);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].severity_text.size(), 16u);
  EXPECT_LE(lines[0].body.size() + lines[0].severity_text.size(), 1024u / 4);
  LineRing none(0);
  none.Push(Header(1), "", "x");
  EXPECT_EQ(none.size(), 0u);
}

TEST(LineRingTest, SaveLoadKeepsWhatFits) {
  LineRing ring(4096);
  for (uint64_t i = 1; i <= 300; ++i) ring.Push(Header(i), "", "line " + std::to_string(i));
  std::string bytes;
  analysis::StateWriter w(&bytes);
  ring.Save(&w);
  LineRing same(4096), smaller(1024);
  analysis::StateReader r1(bytes), r2(bytes);
  same.Load(&r1);
  smaller.Load(&r2);
  ASSERT_TRUE(r1.Finish("ring").ok());
  ASSERT_TRUE(r2.Finish("ring").ok());
  const auto a = All(ring), b = All(same), c = All(smaller);
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].body, b[k].body);
  ASSERT_FALSE(c.empty());
  EXPECT_LT(c.size(), a.size());
  EXPECT_EQ(c.back().seq, 300u);
  analysis::StateReader cut(std::string_view(bytes).substr(0, bytes.size() / 2));
  LineRing broken(4096);
  broken.Load(&cut);
  EXPECT_FALSE(cut.Finish("ring").ok());
}

}  // namespace
}  // namespace augur::logs
