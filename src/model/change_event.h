// ChangeEvent: a deployment or configuration change, posted through the API
// or the CLI, or inferred from telemetry (a new service.version or
// faas.version). Insights relate anomalies to the events shortly before them.
//
// Identity: explicit events get an id from the API ("ev-" + 16 hex digits
// of a hash of service, time, version and source); inferred events get one
// derived from (service, attribute, new version), so a replay infers the
// same ids. An explicit event and an inferred one for the same service and
// version are one change: the store merges them (see store.h).
// Plain value; copy freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace augur::model {

enum class ChangeType : uint8_t {
  kDeployment = 0,
  kConfigChange = 1,
  kInfrastructure = 2,
  kSecurityChange = 3,
  kSchemaChange = 4,
};
std::string_view ChangeTypeName(ChangeType type);  // "DEPLOYMENT", "CONFIG_CHANGE", ...
bool ParseChangeType(std::string_view name, ChangeType* out);

struct ConfigChange {
  std::string key;
  std::string old_value;  // "" when unknown
  std::string new_value;
  bool operator==(const ConfigChange&) const = default;
};

struct ChangeEvent {
  std::string id;
  ChangeType type = ChangeType::kDeployment;
  std::string service;
  uint64_t time_ns = 0;  // event time of the change (may lie in the past)
  std::string version;   // the new version, "" when not a version change
  std::string previous_version;
  // "api", "cli", "telemetry", or what the poster says; a merged event keeps
  // the explicit source and lists "telemetry" in `sources`.
  std::string source;
  std::vector<std::string> sources;
  std::string description;
  std::vector<ConfigChange> changes;
  bool operator==(const ChangeEvent&) const = default;
};

}  // namespace augur::model
