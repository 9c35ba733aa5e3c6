#include "model/intern_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace augur::model {
namespace {

TEST(InternTableTest, EqualTextsGetOneEntry) {
  InternTable table(100, 16);
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> size(0, 16), letter('a', 'c');
  std::map<std::string, const std::string*> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string text(size(rng), ' ');
    for (char& c : text) c = static_cast<char>(letter(rng));
    const std::string* entry = table.Intern(text);
    if (auto [it, added] = seen.emplace(text, entry); !added) {
      EXPECT_EQ(entry, it->second) << text;
    }
    if (entry != nullptr) {
      EXPECT_EQ(*entry, text);
    }
  }
  EXPECT_EQ(table.size(), 100u);  // 3^0 + ... + 3^16 texts: it filled up
  size_t interned = 0;
  for (const auto& [text, entry] : seen) interned += entry != nullptr;
  EXPECT_EQ(interned, 100u);
}

TEST(InternTableTest, TooLongTextsAreRefusedWithoutCounting) {
  InternTable table(10, 4);
  EXPECT_NE(table.Intern("abcd"), nullptr);
  EXPECT_EQ(table.Intern("abcde"), nullptr);
  EXPECT_EQ(table.overflow(), 0u);
  EXPECT_EQ(table.size(), 1u);
}

TEST(InternTableTest, FullTableRefusesNewTextsAndCountsThem) {
  InternTable table(3, 8);
  const std::string* a = table.Intern("a");
  const std::string* b = table.Intern("b");
  const std::string* c = table.Intern("c");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(table.Intern("d"), nullptr);
  EXPECT_EQ(table.Intern("e"), nullptr);
  EXPECT_EQ(table.Intern("d"), nullptr);  // still full: refused again, counted again
  EXPECT_EQ(table.overflow(), 3u);
  EXPECT_EQ(table.Intern("a"), a);  // entries stay
  EXPECT_EQ(table.Intern("b"), b);
  EXPECT_EQ(table.Intern("c"), c);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.overflow(), 3u);
}

TEST(InternTableTest, EmptyTableRefusesEverything) {
  InternTable table(0, 8);
  EXPECT_EQ(table.Intern(""), nullptr);
  EXPECT_EQ(table.overflow(), 1u);
}

// Threads interning overlapping texts at once, past the table's capacity:
// every text gets one entry or none, for every thread, and exactly
// max_entries texts get one. Under TSan or ASan this also exercises the
// lock-free lookups against concurrent additions.
TEST(InternTableTest, ConcurrentInterningAgreesOnEveryText) {
  constexpr int kThreads = 4, kTexts = 600, kCapacity = 400;
  InternTable table(kCapacity, 32);
  std::vector<std::vector<const std::string*>> seen(kThreads, std::vector<const std::string*>(kTexts));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &seen, &table] {
      for (int i = 0; i < kTexts; ++i) {
        const int k = (i * 7 + t * 131) % kTexts;  // each thread in its own order
        seen[t][k] = table.Intern("concurrent.text." + std::to_string(k));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  int interned = 0;
  for (int k = 0; k < kTexts; ++k) {
    const std::string* again = table.Intern("concurrent.text." + std::to_string(k));
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(seen[t][k], again) << k;
    if (again != nullptr) {
      EXPECT_EQ(*again, "concurrent.text." + std::to_string(k));
      ++interned;
    }
  }
  EXPECT_EQ(interned, kCapacity);
  EXPECT_EQ(table.size(), static_cast<size_t>(kCapacity));
  // Each thread was refused the texts it did not find in the table, once each, and once more above.
  EXPECT_EQ(table.overflow(), static_cast<uint64_t>((kThreads + 1) * (kTexts - kCapacity)));
}

}  // namespace
}  // namespace augur::model
