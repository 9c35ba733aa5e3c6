#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <set>

namespace augur::config {
namespace {

// Splits "20MiB" into 20 and "MiB".
StatusOr<std::pair<uint64_t, std::string>> NumberAndUnit(std::string_view text, const char* what) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  uint64_t n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + i, n);
  if (i == 0 || ec != std::errc()) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(text) + "' does not start with a number");
  }
  std::string unit(text.substr(i));
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  return std::make_pair(n, unit);
}

StatusOr<uint64_t> Multiply(uint64_t n, uint64_t factor, std::string_view text) {
  if (factor != 0 && n > UINT64_MAX / factor) {
    std::string message = "value '";
    message.append(text).append("' is too large");
    return Status::InvalidArgument(std::move(message));
  }
  return n * factor;
}

Status CheckKeys(const YAML::Node& node, const std::string& where, const std::set<std::string>& allowed) {
  if (!node.IsMap()) return Status::InvalidArgument(where + " must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) return Status::InvalidArgument("unknown key '" + key + "' in " + where);
  }
  return Status::OK();
}

Status Apply(const YAML::Node& root, Config* c) {
  if (root.IsNull()) return Status::OK();
  if (Status s = CheckKeys(root, "the config file",
                           {"data_dir", "otlp", "api", "auth_token", "tls", "retention", "log_level"});
      !s.ok()) {
    return s;
  }
  auto str = [](const YAML::Node& n, std::string* out) {
    if (n) *out = n.as<std::string>();
  };
  auto bytes = [](const YAML::Node& n, const char* key, uint64_t* out) -> Status {
    if (!n) return Status::OK();
    auto v = ParseByteSize(n.as<std::string>());
    if (!v.ok()) return Status::InvalidArgument(std::string(key) + ": " + v.status().message());
    *out = *v;
    return Status::OK();
  };
  str(root["data_dir"], &c->data_dir);
  str(root["auth_token"], &c->auth_token);
  str(root["log_level"], &c->log_level);
  if (const auto otlp = root["otlp"]) {
    if (Status s = CheckKeys(otlp, "otlp", {"grpc_addr", "http_addr", "max_body_size", "queue_capacity_items"});
        !s.ok()) {
      return s;
    }
    str(otlp["grpc_addr"], &c->otlp_grpc_addr);
    str(otlp["http_addr"], &c->otlp_http_addr);
    if (Status s = bytes(otlp["max_body_size"], "otlp.max_body_size", &c->max_body_bytes); !s.ok()) return s;
    if (otlp["queue_capacity_items"]) c->queue_capacity_items = otlp["queue_capacity_items"].as<uint64_t>();
  }
  if (const auto api = root["api"]) {
    if (Status s = CheckKeys(api, "api", {"http_addr"}); !s.ok()) return s;
    str(api["http_addr"], &c->http_addr);
  }
  if (const auto tls = root["tls"]) {
    if (Status s = CheckKeys(tls, "tls", {"cert_file", "key_file"}); !s.ok()) return s;
    str(tls["cert_file"], &c->tls_cert_file);
    str(tls["key_file"], &c->tls_key_file);
  }
  if (const auto retention = root["retention"]) {
    if (Status s = CheckKeys(retention, "retention", {"max_age", "max_size"}); !s.ok()) return s;
    if (retention["max_age"]) {
      auto v = ParseDuration(retention["max_age"].as<std::string>());
      if (!v.ok()) return Status::InvalidArgument("retention.max_age: " + v.status().message());
      c->retention_max_age_seconds = *v;
    }
    if (Status s = bytes(retention["max_size"], "retention.max_size", &c->retention_max_bytes); !s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

Status LoadYaml(std::string_view yaml, Config* config) {
  try {
    return Apply(YAML::Load(std::string(yaml)), config);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("config: ") + e.what());
  }
}

Status LoadYamlFile(const std::string& path, Config* config) {
  try {
    Status s = Apply(YAML::LoadFile(path), config);
    if (!s.ok()) return Status::InvalidArgument(path + ": " + s.message());
    return s;
  } catch (const YAML::BadFile&) {
    return Status::IOError("cannot read config file " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  auto parsed = NumberAndUnit(text, "size");
  if (!parsed.ok()) return parsed.status();
  const auto& [n, unit] = *parsed;
  static const std::pair<const char*, uint64_t> kUnits[] = {{"", 1},
                                                            {"B", 1},
                                                            {"KB", 1000},
                                                            {"MB", 1000'000},
                                                            {"GB", 1000'000'000},
                                                            {"TB", 1000'000'000'000ULL},
                                                            {"KiB", 1ULL << 10},
                                                            {"MiB", 1ULL << 20},
                                                            {"GiB", 1ULL << 30},
                                                            {"TiB", 1ULL << 40}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return Multiply(n, factor, text);
  }
  return Status::InvalidArgument("size '" + std::string(text) +
                                 "' has an unknown unit (use B, KB, MB, GB, KiB, MiB, GiB)");
}

StatusOr<uint64_t> ParseDuration(std::string_view text) {
  auto parsed = NumberAndUnit(text, "duration");
  if (!parsed.ok()) return parsed.status();
  const auto& [n, unit] = *parsed;
  static const std::pair<const char*, uint64_t> kUnits[] = {{"", 1},     {"s", 1},     {"m", 60},
                                                            {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return Multiply(n, factor, text);
  }
  return Status::InvalidArgument("duration '" + std::string(text) + "' has an unknown unit (use s, m, h, d, w)");
}

}  // namespace augur::config
