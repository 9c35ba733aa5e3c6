#include "model/change_event.h"

namespace augur::model {

namespace {
constexpr std::string_view kNames[] = {"DEPLOYMENT", "CONFIG_CHANGE", "INFRASTRUCTURE", "SECURITY_CHANGE",
                                       "SCHEMA_CHANGE"};
}

std::string_view ChangeTypeName(ChangeType type) {
  auto i = static_cast<size_t>(type);
  return i < std::size(kNames) ? kNames[i] : std::string_view("DEPLOYMENT");
}

bool ParseChangeType(std::string_view name, ChangeType* out) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name == kNames[i]) {
      *out = static_cast<ChangeType>(i);
      return true;
    }
  }
  return false;
}

}  // namespace augur::model
