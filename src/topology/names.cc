#include "topology/names.h"

#include <algorithm>

namespace augur::topology {

NameTable::NameTable(size_t max_names) : max_(std::max<size_t>(max_names, 1)) {
  names_.emplace_back(kOtherName);
  ids_.emplace(names_.back(), 0);
}

uint32_t NameTable::Intern(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  if (names_.size() >= max_) {
    ++overflow_;
    return 0;
  }
  uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

uint32_t NameTable::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? kNoName : it->second;
}

}  // namespace augur::topology
