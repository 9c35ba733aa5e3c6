#include "model/attribute_key.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "model/telemetry.h"

namespace augur::model {
namespace {

std::string RandomKey(std::mt19937_64& rng, size_t max_size) {
  std::uniform_int_distribution<size_t> size(0, max_size);
  std::uniform_int_distribution<int> letter('a', 'e');  // few letters: many equal keys
  std::string key(size(rng), ' ');
  for (char& c : key) c = static_cast<char>(letter(rng));
  return key;
}

TEST(AttributeKeyTest, BehavesAsItsText) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const std::string a = RandomKey(rng, 6), b = RandomKey(rng, 6);
    const AttributeKey ka(a), kb(b);
    EXPECT_EQ(ka.str(), a);
    EXPECT_EQ(std::string_view(ka), a);
    EXPECT_EQ(ka.size(), a.size());
    EXPECT_EQ(ka.empty(), a.empty());
    EXPECT_EQ(ka == kb, a == b) << a << " " << b;
    EXPECT_EQ(ka == b, a == b);
    EXPECT_EQ(ka == std::string_view(b), a == b);
    EXPECT_EQ(ka == b.c_str(), a == b);
    EXPECT_EQ(ka < kb, a < b);
    EXPECT_EQ((ka <=> kb) == 0, a == b);
    if (a == b) {
      EXPECT_EQ(ka.Hash(), kb.Hash());
    }
  }
}

TEST(AttributeKeyTest, EqualTextsShareOneEntry) {
  const std::string text = "app.some.rather.long.attribute.key";
  const AttributeKey a(text), b(std::string_view(text.data(), text.size()));
  ASSERT_TRUE(a.interned());
  EXPECT_EQ(a.data(), b.data());  // the same entry, not a copy
  EXPECT_EQ(AttributeKey("service.name").data(), AttributeKey(std::string("service.name")).data());
  EXPECT_EQ(AttributeKey().str(), "");
  EXPECT_EQ(AttributeKey(), AttributeKey(""));
}

TEST(AttributeKeyTest, LongKeysAreOwnedAndStillCompareByText) {
  const std::string text(AttributeKey::kMaxInternedKeyBytes + 1, 'k');
  AttributeKey a(text);
  EXPECT_FALSE(a.interned());
  EXPECT_EQ(a, text);
  AttributeKey copy = a;
  EXPECT_FALSE(copy.interned());
  EXPECT_NE(copy.data(), a.data());  // its own copy
  EXPECT_EQ(copy, a);
  EXPECT_EQ(copy.Hash(), a.Hash());
  EXPECT_NE(copy, AttributeKey(text.substr(1)));
  AttributeKey moved = std::move(copy);
  EXPECT_EQ(moved, text);
  EXPECT_EQ(copy, "");  // NOLINT(bugprone-use-after-move): a moved-from owned key is ""
  copy = moved;
  EXPECT_EQ(copy, text);
  copy = AttributeKey("short");
  EXPECT_TRUE(copy.interned());
  EXPECT_EQ(copy, "short");
  moved.assign("http.route");
  EXPECT_EQ(moved, "http.route");
  EXPECT_TRUE(moved.interned());
}

TEST(AttributeKeyTest, OrdersInContainersAsStrings) {
  std::mt19937_64 rng(11);
  std::set<std::string> strings;
  std::set<AttributeKey> keys;
  for (int i = 0; i < 500; ++i) {
    std::string s = RandomKey(rng, 4);
    if (i % 50 == 0) s += std::string(AttributeKey::kMaxInternedKeyBytes, 'z');  // a few owned
    strings.insert(s);
    keys.insert(AttributeKey(s));
  }
  ASSERT_EQ(keys.size(), strings.size());
  auto k = keys.begin();
  for (const std::string& s : strings) EXPECT_EQ(*k++, s);
}

TEST(AttributeKeyTest, KeyValuesCompareAndFindByText) {
  Attributes attributes = {{"http.route", {std::string("/a")}}, {"server.address", {std::string("x")}}};
  Attributes copy = attributes;
  EXPECT_EQ(copy, attributes);
  copy[1].key = std::string("server.port");
  EXPECT_NE(copy, attributes);
  EXPECT_EQ(StringAttribute(attributes, "server.address"), "x");
  EXPECT_EQ(FindAttribute(attributes, "server.port"), nullptr);
  EXPECT_NE(FindAttribute(copy, "server.port"), nullptr);
}

// Threads interning the same and different keys at once get one entry per
// text (run under TSan/ASan this also checks the lock-free lookups).
TEST(AttributeKeyTest, ConcurrentInterningGivesOneEntryPerText) {
  constexpr int kThreads = 4, kKeys = 300;
  std::vector<std::vector<const char*>> seen(kThreads, std::vector<const char*>(kKeys));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < kKeys; ++i) {
        const int k = (i * 7 + t * 13) % kKeys;  // each thread in its own order
        seen[t][k] = AttributeKey("concurrent.test.key." + std::to_string(k)).data();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int k = 0; k < kKeys; ++k) {
    const AttributeKey again("concurrent.test.key." + std::to_string(k));
    ASSERT_TRUE(again.interned());
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(seen[t][k], again.data()) << k;
  }
}

// The table's bound and overflow are tested on small tables in
// intern_table_test.cc; the process-wide one is not filled here, since other
// tests in this binary share it.
TEST(AttributeKeyTest, WellKnownKeysAreInternedFromTheStart) {
  const size_t before = InternedKeyCount();
  EXPECT_GT(before, 100u);
  EXPECT_TRUE(AttributeKey("http.request.method").interned());
  EXPECT_TRUE(AttributeKey(std::string_view("service.name")).interned());
  EXPECT_EQ(InternedKeyCount(), before);  // already there
  EXPECT_EQ(InternOverflowCount(), 0u);
}

}  // namespace
}  // namespace augur::model
