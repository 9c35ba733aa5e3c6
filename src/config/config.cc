#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstring>
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

// "http://HOST..." or "https://HOST...", with no space or control character.
// The notifier parses the URL fully when it starts.
bool IsHttpUrl(std::string_view url) {
  const size_t prefix = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  if (prefix == 0 || url.size() == prefix || url[prefix] == '/' || url[prefix] == ':') return false;
  for (unsigned char ch : url) {
    if (ch <= ' ' || ch == 0x7f) return false;
  }
  return true;
}

// RFC 9110 token characters.
bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char ch : name) {
    if (!std::isalnum(ch) && !std::strchr("!#$%&'*+-.^_`|~", ch)) return false;
  }
  return true;
}

bool IsHeaderValue(std::string_view value) {
  for (unsigned char ch : value) {
    if ((ch < ' ' && ch != '\t') || ch == 0x7f) return false;
  }
  return true;
}

bool IsSinkName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char ch : name) {
    if (!std::isalnum(ch) && ch != '-' && ch != '_' && ch != '.') return false;
  }
  return true;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

StatusOr<NotificationSink> ParseSink(const YAML::Node& node, size_t index) {
  std::string where = "notifications.sinks[" + std::to_string(index) + "]";
  if (Status s = CheckKeys(node, where, {"name", "type", "url", "headers", "types", "min_severity", "ca_file"});
      !s.ok()) {
    return s;
  }
  NotificationSink sink;
  for (const char* key : {"name", "type", "url"}) {
    if (!node[key] || !node[key].IsScalar()) return Status::InvalidArgument(where + " needs a " + key);
  }
  sink.name = node["name"].as<std::string>();
  if (!IsSinkName(sink.name)) {
    return Status::InvalidArgument(where + ".name '" + sink.name + "' must be 1-64 letters, digits, '-', '_' or '.'");
  }
  where = "notifications sink '" + sink.name + "'";
  sink.type = node["type"].as<std::string>();
  if (sink.type != "webhook" && sink.type != "slack") {
    return Status::InvalidArgument(where + ": type must be webhook or slack, got '" + sink.type + "'");
  }
  sink.url = node["url"].as<std::string>();
  if (!IsHttpUrl(sink.url)) {
    return Status::InvalidArgument(where + ": url must be an http:// or https:// URL, got '" + sink.url + "'");
  }
  if (const auto headers = node["headers"]) {
    if (!headers.IsMap()) return Status::InvalidArgument(where + ": headers must be a mapping");
    for (const auto& kv : headers) {
      const std::string name = kv.first.as<std::string>();
      if (!kv.second.IsScalar()) return Status::InvalidArgument(where + ": header " + name + " must be a string");
      const std::string value = kv.second.as<std::string>();
      if (!IsHeaderName(name) || !IsHeaderValue(value)) {
        return Status::InvalidArgument(where + ": header '" + name + "' is not a valid HTTP header");
      }
      // augur sets these itself; a second value would make the request ambiguous.
      static const std::set<std::string> kReserved = {"host",       "content-type",      "content-length",
                                                      "connection", "transfer-encoding", "idempotency-key"};
      if (kReserved.count(Lower(name))) {
        return Status::InvalidArgument(where + ": header " + name + " is set by augur");
      }
      sink.headers.emplace_back(name, value);
    }
  }
  if (const auto types = node["types"]) {
    if (!types.IsSequence()) return Status::InvalidArgument(where + ": types must be a list");
    static const std::set<std::string> kTypes = {"NEW_INSIGHT", "NEW_ANOMALY_ASSOCIATION", "SEVERITY_UPGRADED",
                                                 "NEW_RECOMMENDATION", "CLOSED_INSIGHT"};
    for (const auto& t : types) {
      const std::string type = t.as<std::string>();
      if (!kTypes.count(type)) {
        return Status::InvalidArgument(where + ": unknown message type '" + type +
                                       "' (NEW_INSIGHT, NEW_ANOMALY_ASSOCIATION, SEVERITY_UPGRADED, "
                                       "NEW_RECOMMENDATION, CLOSED_INSIGHT)");
      }
      sink.types.push_back(type);
    }
  }
  if (const auto severity = node["min_severity"]) {
    sink.min_severity = severity.as<std::string>();
    if (sink.min_severity != "LOW" && sink.min_severity != "MEDIUM" && sink.min_severity != "HIGH") {
      return Status::InvalidArgument(where + ": min_severity must be LOW, MEDIUM or HIGH, got '" + sink.min_severity +
                                     "'");
    }
  }
  if (const auto ca = node["ca_file"]) sink.ca_file = ca.as<std::string>();
  return sink;
}

Status ApplyNotifications(const YAML::Node& node, NotificationsConfig* n) {
  if (Status s = CheckKeys(node, "notifications", {"sinks", "max_attempts", "max_age", "max_backoff", "timeout"});
      !s.ok()) {
    return s;
  }
  if (const auto attempts = node["max_attempts"]) {
    n->max_attempts = attempts.as<uint64_t>();
    if (n->max_attempts == 0) return Status::InvalidArgument("notifications.max_attempts must be at least 1");
  }
  for (const auto& [key, out] :
       {std::pair{"max_age", &n->max_age_seconds}, std::pair{"max_backoff", &n->max_backoff_seconds},
        std::pair{"timeout", &n->timeout_seconds}}) {
    if (!node[key]) continue;
    auto v = ParseDuration(node[key].as<std::string>());
    if (!v.ok()) return Status::InvalidArgument(std::string("notifications.") + key + ": " + v.status().message());
    if (*v == 0) return Status::InvalidArgument(std::string("notifications.") + key + " must be at least 1s");
    *out = *v;
  }
  if (const auto sinks = node["sinks"]) {
    if (!sinks.IsSequence()) return Status::InvalidArgument("notifications.sinks must be a list");
    if (sinks.size() > kMaxNotificationSinks) {
      return Status::InvalidArgument("notifications.sinks: at most " + std::to_string(kMaxNotificationSinks) +
                                     " sinks");
    }
    n->sinks.clear();
    for (size_t i = 0; i < sinks.size(); ++i) {
      auto sink = ParseSink(sinks[i], i);
      if (!sink.ok()) return sink.status();
      for (const auto& other : n->sinks) {
        if (other.name == sink->name) {
          return Status::InvalidArgument("notifications: two sinks are named '" + sink->name + "'");
        }
      }
      n->sinks.push_back(std::move(*sink));
    }
  }
  return Status::OK();
}

Status Apply(const YAML::Node& root, Config* c) {
  if (root.IsNull()) return Status::OK();
  if (Status s = CheckKeys(
          root, "the config file",
          {"data_dir", "otlp", "api", "auth_token", "tls", "retention", "log_level", "public_url", "notifications"});
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
    if (Status s = CheckKeys(api, "api", {"http_addr", "web_dir"}); !s.ok()) return s;
    str(api["http_addr"], &c->http_addr);
    str(api["web_dir"], &c->web_dir);
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
  if (const auto url = root["public_url"]) {
    c->public_url = url.as<std::string>();
    if (!IsHttpUrl(c->public_url)) {
      return Status::InvalidArgument("public_url must be an http:// or https:// URL, got '" + c->public_url + "'");
    }
  }
  if (const auto notifications = root["notifications"]) {
    if (Status s = ApplyNotifications(notifications, &c->notifications); !s.ok()) return s;
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
