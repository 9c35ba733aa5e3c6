#include "topology/trace_id_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace augur::topology {
namespace {

model::TraceId Id(uint64_t hi, uint64_t lo) {
  model::TraceId id{};
  std::memcpy(id.data(), &hi, 8);
  std::memcpy(id.data() + 8, &lo, 8);
  return id;
}

// Random inserts and erases, checked against std::map after every step.
// Few distinct ids in a small table make long probe runs that wrap around
// the array's end, which is where backward-shift deletion can go wrong.
TEST(TraceIdMap, AgreesWithAReferenceMap) {
  for (uint64_t universe : {50u, 600u, 5000u}) {
    std::mt19937_64 rng(universe);
    TraceIdMap map;
    std::map<model::TraceId, uint32_t> ref;
    for (int step = 0; step < 40000; ++step) {
      const model::TraceId id = Id(rng() % universe, rng() % 3);
      const bool present = ref.contains(id);
      if (rng() % 3 != 0) {
        if (!present) {
          const uint32_t v = static_cast<uint32_t>(rng() % 1000000);
          map.Insert(id, v);
          ref[id] = v;
        }
      } else {
        map.Erase(id);
        ref.erase(id);
      }
      ASSERT_EQ(map.size(), ref.size());
      if (step % 97 == 0) {
        for (const auto& [k, v] : ref) ASSERT_EQ(map.Find(k), v);
        for (int probe = 0; probe < 20; ++probe) {
          const model::TraceId other = Id(rng() % universe, rng() % 3);
          auto it = ref.find(other);
          ASSERT_EQ(map.Find(other), it == ref.end() ? TraceIdMap::kAbsent : it->second);
        }
      }
    }
    EXPECT_LE(map.capacity(), std::max<size_t>(1024, 4 * universe * 3));
  }
}

TEST(TraceIdMap, ErasingWhatIsAbsentChangesNothing) {
  TraceIdMap map;
  map.Erase(Id(1, 1));
  map.Insert(Id(1, 1), 7);
  map.Erase(Id(2, 2));
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.Find(Id(1, 1)), 7u);
  EXPECT_EQ(map.Find(Id(2, 2)), TraceIdMap::kAbsent);
}

}  // namespace
}  // namespace augur::topology
