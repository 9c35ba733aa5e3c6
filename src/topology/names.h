// NameTable: bounded string interning for service, operation and dependency
// names, so the trace buffer and the graph keys hold 4-byte ids instead of
// strings.
//
// Names come from clients (span names can be high-cardinality: URLs with
// ids in them), so the table is capped: once max_names are held, every new
// name maps to id 0, kOtherName "(other)", and is counted in overflow().
// Names are never forgotten (ids must stay valid for the keys that use
// them); the cap bounds the memory.
//
// Ids depend only on the order of Intern() calls, so a replay of the same
// spans gets the same ids; output is nevertheless ordered by name, never by
// id.
//
// Not thread-safe; owned by the TopologyBuilder.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/short_bytes.h"
#include "topology/span_record.h"

namespace augur::topology {

class NameTable {
 public:
  static constexpr std::string_view kOtherName = "(other)";

  explicit NameTable(size_t max_names);

  // The id of `name`, adding it when there is room (else 0).
  uint32_t Intern(std::string_view name);
  // The id of `name` if it is held, else kNoName.
  uint32_t Find(std::string_view name) const;
  // The name of an id returned by Intern/Find.
  const std::string& Name(uint32_t id) const { return names_[id]; }

  size_t size() const { return names_.size(); }
  uint64_t overflow() const { return overflow_; }

 private:
  size_t max_;
  std::deque<std::string> names_;  // deque: the map's keys view into it, so elements must not move
  std::unordered_map<std::string_view, uint32_t, ShortHasher> ids_;
  uint64_t overflow_ = 0;
};

}  // namespace augur::topology
