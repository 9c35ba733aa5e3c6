#include "store/trace_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

namespace augur::store {
namespace {

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(TraceIndexTest, KeyIsTheLastEightBytes) {
  model::TraceId id{};
  for (size_t i = 0; i < 16; ++i) id[i] = static_cast<uint8_t>(i + 1);
  EXPECT_EQ(TraceKey(id), 0x090a0b0c0d0e0f10);
  id.fill(0xff);
  EXPECT_EQ(TraceKey(id), -1);
  EXPECT_EQ(TraceEpoch((int64_t{5} << kTraceEpochBits) + 7), 5);
}

TEST(TraceIndexTest, BlockTraceKeys) {
  const std::vector<int64_t> keys = {std::numeric_limits<int64_t>::min(), -5, 0, 3, 1'000'000'007,
                                     std::numeric_limits<int64_t>::max()};
  std::string blob;
  EncodeTraceKeys(keys, &blob);
  ASSERT_EQ(blob.size(), keys.size() * 8);
  for (const int64_t key : keys) {
    auto has = HasTraceKey(AsBytes(blob), key);
    ASSERT_TRUE(has.ok());
    EXPECT_TRUE(*has) << key;
  }
  for (const int64_t key : {int64_t{-6}, int64_t{1}, int64_t{4}, std::numeric_limits<int64_t>::max() - 1}) {
    auto has = HasTraceKey(AsBytes(blob), key);
    ASSERT_TRUE(has.ok());
    EXPECT_FALSE(*has) << key;
  }
  std::vector<TraceEntry> entries;
  ASSERT_TRUE(AppendTraceEntries(AsBytes(blob), 42, &entries).ok());
  ASSERT_EQ(entries.size(), keys.size());
  EXPECT_EQ(entries[1], (TraceEntry{-5, 42}));

  EXPECT_FALSE(HasTraceKey(AsBytes(blob + "x"), 0).ok());
  EXPECT_FALSE(AppendTraceEntries(AsBytes("1234567"), 1, &entries).ok());
}

TEST(TraceIndexTest, RunsHoldAllEntriesAndNeverSplitAKey) {
  std::vector<TraceEntry> entries;
  std::mt19937_64 rng(3);
  for (int64_t block = 1; block <= 500; ++block) entries.push_back({static_cast<int64_t>(rng()), block});
  for (int64_t block = 1; block <= 150; ++block) entries.push_back({77, block});  // one trace in many blocks
  std::sort(entries.begin(), entries.end());
  std::vector<std::pair<int64_t, std::string>> runs;
  BuildRuns(entries, &runs);

  std::vector<TraceEntry> back;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& [first_key, run] = runs[i];
    ASSERT_EQ(run.size() % 16, 0u);
    std::vector<int64_t> blocks;
    ASSERT_TRUE(FindInRun(AsBytes(run), first_key, &blocks).ok());
    ASSERT_FALSE(blocks.empty());
    std::vector<int64_t> of_77;
    ASSERT_TRUE(FindInRun(AsBytes(run), 77, &of_77).ok());
    if (of_77.empty()) {
      EXPECT_LE(run.size() / 16, kRunEntries);
    }
    if (i > 0) {
      EXPECT_LT(runs[i - 1].first, first_key);
    }
    // Decode the run through lookups of each of its keys.
    for (const auto& e : entries) {
      if (e.key < first_key || (i + 1 < runs.size() && e.key >= runs[i + 1].first)) continue;
      std::vector<int64_t> found;
      ASSERT_TRUE(FindInRun(AsBytes(run), e.key, &found).ok());
      EXPECT_NE(std::find(found.begin(), found.end(), e.block), found.end());
      back.push_back(e);
    }
  }
  EXPECT_EQ(back.size(), entries.size());

  // The key in 150 blocks is in one run, whole.
  const auto run = std::find_if(runs.begin(), runs.end(), [](const auto& r) {
    std::vector<int64_t> blocks;
    return FindInRun(AsBytes(r.second), 77, &blocks).ok() && !blocks.empty();
  });
  ASSERT_NE(run, runs.end());
  std::vector<int64_t> blocks;
  ASSERT_TRUE(FindInRun(AsBytes(run->second), 77, &blocks).ok());
  EXPECT_EQ(blocks.size(), 150u);

  std::vector<int64_t> none;
  ASSERT_TRUE(FindInRun(AsBytes(runs[0].second), runs[0].first - 1, &none).ok());
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(FindInRun(AsBytes(runs[0].second + "x"), 1, &none).ok());
  ASSERT_TRUE(FindInRun({}, 1, &none).ok());  // an epoch without a run for the key
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace augur::store
