#include "scenario/services.h"

#include <algorithm>

namespace augur::scenario {

namespace {

model::KeyValue Str(std::string key, std::string value) {
  return {std::move(key), {std::move(value)}};
}
model::KeyValue Int(std::string key, int64_t value) {
  return {std::move(key), {value}};
}

model::Resource MakeResource(const ScenarioSpec& spec, const std::string& name, const std::string& version,
                             bool function) {
  model::Resource r;
  r.service_name = name;
  r.schema_url = "https://opentelemetry.io/schemas/1.27.0";
  model::Attributes& a = r.attributes;
  a.push_back(Str("service.name", name));
  a.push_back(Str("service.version", version));
  a.push_back(Str("deployment.environment.name", spec.environment));
  a.push_back(Str("cloud.provider", "aws"));
  a.push_back(Str("cloud.platform", function ? "aws_lambda" : "aws_api_gateway"));
  a.push_back(Str("cloud.region", spec.cloud_region));
  a.push_back(Str("cloud.account.id", spec.cloud_account));
  if (function) {
    a.push_back(Str("faas.name", name));
    a.push_back(Str("faas.version", version));
    a.push_back(Int("faas.max_memory", 128 * 1024 * 1024));
  }
  a.push_back(Str("telemetry.sdk.name", "opentelemetry"));
  a.push_back(Str("telemetry.sdk.language", "python"));
  a.push_back(Str("telemetry.sdk.version", "1.27.0"));
  return r;
}

}  // namespace

const model::Scope& ScopeOf(ScopeId id) {
  static const model::Scope kScopes[kScopeCount] = {
      {"opentelemetry.instrumentation.asgi", "0.48b0", {}},
      {"opentelemetry.instrumentation.aws_lambda", "0.48b0", {}},
      {"opentelemetry.instrumentation.botocore", "0.48b0", {}},
      {"app", "", {}},
      {"opentelemetry.instrumentation.system_metrics", "0.48b0", {}},
  };
  return kScopes[static_cast<size_t>(id)];
}

ServiceCatalog::ServiceCatalog(const ScenarioSpec& spec) {
  services_.push_back({spec.gateway, {{spec.start_ns, MakeResource(spec, spec.gateway, spec.gateway_version, false)}}});
  for (const FunctionSpec& f : spec.functions) {
    services_.push_back({f.name, {{spec.start_ns, MakeResource(spec, f.name, f.version, true)}}});
  }
  std::vector<Deployment> deployments = spec.deployments;
  std::stable_sort(deployments.begin(), deployments.end(),
                   [](const Deployment& a, const Deployment& b) { return a.time_ns < b.time_ns; });
  for (const Deployment& d : deployments) {
    size_t s = Find(d.service);
    if (s == kNone) continue;
    services_[s].versions.push_back({d.time_ns, MakeResource(spec, d.service, d.version, s != kGateway)});
  }
}

size_t ServiceCatalog::Find(std::string_view name) const {
  for (size_t i = 0; i < services_.size(); ++i) {
    if (services_[i].name == name) return i;
  }
  return kNone;
}

size_t ServiceCatalog::VersionAt(size_t service, uint64_t time_ns) const {
  const std::vector<Version>& v = services_[service].versions;
  size_t i = 0;
  while (i + 1 < v.size() && v[i + 1].start_ns <= time_ns) ++i;
  return i;
}

}  // namespace augur::scenario
