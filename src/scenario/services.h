// ServiceCatalog: the services of a scenario (the gateway, then one per
// function), their versions over time and the OTel resource of each
// (service, version), built once from the spec. Also the instrumentation
// scopes the generator stamps on its items.
//
// Resource attributes follow the semantic conventions: service.name,
// service.version, deployment.environment.name, cloud.provider,
// cloud.platform, cloud.region, cloud.account.id, telemetry.sdk.*, and for
// functions faas.name, faas.version, faas.max_memory.
//
// Immutable after construction; safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/telemetry.h"
#include "scenario/spec.h"

namespace augur::scenario {

// Who produced an item, inside a service.
enum class ScopeId : uint8_t {
  kGateway = 0,  // the gateway's HTTP server and client spans
  kFunction,     // a function's invocation (server) span
  kSdkClient,    // a function's table calls (the AWS SDK instrumentation)
  kLogging,      // log records
  kMetrics,      // metric points
};
constexpr size_t kScopeCount = 5;
const model::Scope& ScopeOf(ScopeId id);

class ServiceCatalog {
 public:
  static constexpr size_t kGateway = 0;
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // `spec` must be valid (Validate).
  explicit ServiceCatalog(const ScenarioSpec& spec);

  size_t size() const { return services_.size(); }  // gateway, then function i at i + 1
  const std::string& name(size_t service) const { return services_[service].name; }
  // The service of that name, or kNone (the table is not a service).
  size_t Find(std::string_view name) const;

  // The version in force at time_ns (0 is the initial one, deployments in
  // time order after it), its start (spec.start_ns for version 0), its
  // resource.
  size_t VersionAt(size_t service, uint64_t time_ns) const;
  size_t version_count(size_t service) const { return services_[service].versions.size(); }
  uint64_t VersionStart(size_t service, size_t version) const { return services_[service].versions[version].start_ns; }
  const model::Resource& resource(size_t service, size_t version) const {
    return services_[service].versions[version].resource;
  }

 private:
  struct Version {
    uint64_t start_ns = 0;
    model::Resource resource;
  };
  struct Service {
    std::string name;
    std::vector<Version> versions;  // by start time
  };
  std::vector<Service> services_;
};

}  // namespace augur::scenario
