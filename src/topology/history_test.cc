#include "topology/history.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace augur::topology {
namespace {

constexpr uint64_t kS = 1'000'000'000;

HistoryOptions Options() {
  HistoryOptions o;
  o.bucket_width_ns = 5 * kS;
  o.coarse_width_ns = 60 * kS;
  o.fine_keep_ns = 120 * kS;
  o.coarse_keep_ns = 600 * kS;
  return o;
}

void Put(History* h, uint64_t start, double self_ms, const HistoryOptions& o) {
  Cell& c = h->At(start, o);
  ++c.count;
  c.a.Add(self_ms);
}

TEST(HistoryTest, ClosesInOrderAndRollsUp) {
  HistoryOptions o = Options();
  History h;
  // Out of order while open: 10 s before 5 s.
  Put(&h, 10 * kS, 3, o);
  Put(&h, 5 * kS, 1, o);
  Put(&h, 5 * kS, 2, o);
  Put(&h, 65 * kS, 4, o);
  std::vector<std::pair<uint64_t, uint64_t>> emitted;  // (start, count)
  auto emit = [&](uint64_t start, const Cell& c) { emitted.emplace_back(start, c.count); };
  h.Close(15 * kS, 0, 0, o, emit);
  EXPECT_EQ(emitted, (std::vector<std::pair<uint64_t, uint64_t>>{{5 * kS, 2}, {10 * kS, 1}}));
  EXPECT_TRUE(h.has_open());

  Cell fine(o);
  EXPECT_EQ(h.Sum(Tier::kFine, 0, 100 * kS, &fine), 3u);  // open cells count in the fine tier
  EXPECT_EQ(fine.count, 4u);
  Cell coarse(o);
  EXPECT_EQ(h.Sum(Tier::kCoarse, 0, 100 * kS, &coarse), 1u);  // closed ones only, in one minute
  EXPECT_EQ(coarse.count, 3u);
  EXPECT_DOUBLE_EQ(coarse.a.max(), 3);

  Cell window(o);
  h.Sum(Tier::kFine, 10 * kS, 65 * kS, &window);  // [10 s, 65 s): only the 10 s bucket
  EXPECT_EQ(window.count, 1u);

  h.Close(70 * kS, 0, 0, o, emit);
  EXPECT_FALSE(h.has_open());
  Cell coarse2(o);
  EXPECT_EQ(h.Sum(Tier::kCoarse, 0, 1000 * kS, &coarse2), 2u);
}

TEST(HistoryTest, TrimsOldCells) {
  HistoryOptions o = Options();
  History h;
  Put(&h, 0, 1, o);
  Put(&h, 100 * kS, 1, o);
  auto ignore = [](uint64_t, const Cell&) {};
  h.Close(200 * kS, /*fine_from=*/50 * kS, /*coarse_from=*/0, o, ignore);
  Cell fine(o);
  EXPECT_EQ(h.Sum(Tier::kFine, 0, 1000 * kS, &fine), 1u);
  Cell coarse(o);
  EXPECT_EQ(h.Sum(Tier::kCoarse, 0, 1000 * kS, &coarse), 2u);
  h.Close(200 * kS, 200 * kS, 200 * kS, o, ignore);
  EXPECT_TRUE(h.empty());
}

TEST(HistoryTest, SaveLoadRoundTrips) {
  HistoryOptions o = Options();
  History h;
  Put(&h, 5 * kS, 1.5, o);
  Put(&h, 10 * kS, 2.5, o);
  h.Close(10 * kS, 0, 0, o, [](uint64_t, const Cell&) {});
  std::string bytes;
  StateWriter w(&bytes);
  h.Save(&w);

  History back;
  StateReader r(bytes);
  ASSERT_TRUE(back.Load(&r, o));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(back, h);

  // Truncated bytes, or sketches of another accuracy, are refused.
  History bad;
  StateReader cut(std::string_view(bytes).substr(0, bytes.size() - 3));
  EXPECT_FALSE(bad.Load(&cut, o));
  HistoryOptions other = o;
  other.relative_accuracy = 0.05;
  StateReader r2(bytes);
  EXPECT_FALSE(bad.Load(&r2, other));
}

}  // namespace
}  // namespace augur::topology
