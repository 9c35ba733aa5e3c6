#include "config/config.h"

#include <gtest/gtest.h>

#include <map>

namespace augur::config {
namespace {

TEST(Config, ParsesSizesAndDurations) {
  EXPECT_EQ(*ParseByteSize("20MiB"), 20ULL << 20);
  EXPECT_EQ(*ParseByteSize("1GB"), 1'000'000'000ULL);
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_FALSE(ParseByteSize("lots").ok());
  EXPECT_FALSE(ParseByteSize("5 parsecs").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999TiB").ok());
  EXPECT_EQ(*ParseDuration("7d"), 7u * 86400);
  EXPECT_EQ(*ParseDuration("90m"), 5400u);
  EXPECT_EQ(*ParseDuration("3600"), 3600u);
  EXPECT_FALSE(ParseDuration("soon").ok());
}

TEST(Config, YamlOverridesDefaults) {
  Config c;
  ASSERT_TRUE(LoadYaml(R"(
data_dir: /tmp/x
otlp:
  grpc_addr: 127.0.0.1:0
  max_body_size: 1MiB
api:
  http_addr: 0.0.0.0:9000
  web_dir: /srv/console
retention:
  max_age: 2d
  max_size: 5GiB
tls: {cert_file: a.pem, key_file: a.key}
)",
                       &c)
                  .ok());
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.otlp_grpc_addr, "127.0.0.1:0");
  EXPECT_EQ(c.otlp_http_addr, "127.0.0.1:4318");  // untouched
  EXPECT_EQ(c.max_body_bytes, 1u << 20);
  EXPECT_EQ(c.http_addr, "0.0.0.0:9000");
  EXPECT_EQ(c.web_dir, "/srv/console");
  EXPECT_EQ(c.retention_max_age_seconds, 2u * 86400);
  EXPECT_EQ(c.retention_max_bytes, 5ULL << 30);
  EXPECT_EQ(c.tls_key_file, "a.key");
}

TEST(Config, RejectsUnknownKeysAndBadYaml) {
  Config c;
  const Status typo = LoadYaml("otlp:\n  grcp_addr: x\n", &c);
  EXPECT_FALSE(typo.ok());
  EXPECT_NE(typo.message().find("grcp_addr"), std::string::npos);
  EXPECT_FALSE(LoadYaml("otlp: [unclosed", &c).ok());
  EXPECT_EQ(LoadYamlFile("/nonexistent/augur.yaml", &c).code(), Status::Code::kIOError);
}

TEST(Config, ReadsNotificationSinks) {
  Config c;
  const Status s = LoadYaml(R"(
public_url: https://augur.example.com
notifications:
  max_attempts: 5
  max_age: 2h
  max_backoff: 30s
  timeout: 3s
  sinks:
    - name: ops-webhook
      type: webhook
      url: http://127.0.0.1:9000/hook
      headers: {Authorization: "Bearer x", X-Team: sre}
      types: [NEW_INSIGHT, CLOSED_INSIGHT]
      min_severity: MEDIUM
    - name: slack
      type: slack
      url: https://hooks.slack.com/services/T0/B0/xyz
      ca_file: /etc/ssl/corp.pem
)",
                            &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.public_url, "https://augur.example.com");
  EXPECT_EQ(c.notifications.max_attempts, 5u);
  EXPECT_EQ(c.notifications.max_age_seconds, 7200u);
  EXPECT_EQ(c.notifications.timeout_seconds, 3u);
  EXPECT_EQ(c.notifications.max_backoff_seconds, 30u);
  ASSERT_EQ(c.notifications.sinks.size(), 2u);
  const NotificationSink& ops = c.notifications.sinks[0];
  EXPECT_EQ(ops.name, "ops-webhook");
  EXPECT_EQ(ops.type, "webhook");
  EXPECT_EQ(ops.url, "http://127.0.0.1:9000/hook");
  const std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer x"}, {"X-Team", "sre"}};
  EXPECT_EQ(ops.headers, headers);
  EXPECT_EQ(ops.types, (std::vector<std::string>{"NEW_INSIGHT", "CLOSED_INSIGHT"}));
  EXPECT_EQ(ops.min_severity, "MEDIUM");
  const NotificationSink& slack = c.notifications.sinks[1];
  EXPECT_EQ(slack.type, "slack");
  EXPECT_TRUE(slack.types.empty());
  EXPECT_EQ(slack.min_severity, "");
  EXPECT_EQ(slack.ca_file, "/etc/ssl/corp.pem");

  Config defaults;
  ASSERT_TRUE(LoadYaml("log_level: info\n", &defaults).ok());
  EXPECT_TRUE(defaults.notifications.sinks.empty());
  EXPECT_EQ(defaults.public_url, "");
}

TEST(Config, RejectsBadNotificationSinks) {
  // A good sink with one field replaced or added, and a word the error must name.
  struct Case {
    std::string key, value, word;
  };
  const Case cases[] = {
      {"colour", "red", "colour"},
      {"type", "pager", "type"},
      {"url", "'ftp://h/x'", "url"},
      {"url", "'http://'", "url"},
      {"url", "'http://h/a b'", "url"},
      {"types", "[NEW_INSIGHT, NEW_THING]", "NEW_THING"},
      {"min_severity", "CRITICAL", "min_severity"},
      {"headers", "{Content-Type: text/plain}", "Content-Type"},
      {"headers", "{Idempotency-Key: x}", "Idempotency-Key"},
      {"headers", "{'Bad Name': x}", "Bad Name"},
      {"headers", "{X-A: \"a\\r\\nInjected: 1\"}", "X-A"},
      {"name", "'no spaces'", "name"},
  };
  for (const auto& [key, value, word] : cases) {
    std::map<std::string, std::string> fields = {{"name", "a"}, {"type", "webhook"}, {"url", "'http://h/x'"}};
    fields[key] = value;
    std::string yaml = "notifications:\n  sinks:\n    - {";
    for (const auto& [k, v] : fields) yaml += k + ": " + v + ", ";
    yaml += "}\n";
    Config c;
    const Status s = LoadYaml(yaml, &c);
    EXPECT_FALSE(s.ok()) << yaml;
    EXPECT_NE(s.message().find(word), std::string::npos) << yaml << " -> " << s.ToString();
  }
  Config c;
  const Status twice = LoadYaml(
      "notifications:\n  sinks:\n    - {name: a, type: webhook, url: 'http://h/'}\n"
      "    - {name: a, type: slack, url: 'https://h/'}\n",
      &c);
  EXPECT_NE(twice.message().find("two sinks"), std::string::npos) << twice.ToString();
  EXPECT_FALSE(LoadYaml("notifications:\n  sinks:\n    - {type: webhook, url: 'http://h/'}\n", &c).ok());
  EXPECT_FALSE(LoadYaml("notifications: {max_attempts: 0}\n", &c).ok());
  EXPECT_FALSE(LoadYaml("notifications: {timeout: soon}\n", &c).ok());
  EXPECT_FALSE(LoadYaml("notifications: {max_backoff: 0s}\n", &c).ok());
  EXPECT_FALSE(LoadYaml("notifications: {retries: 3}\n", &c).ok());
  EXPECT_FALSE(LoadYaml("public_url: augur.example.com\n", &c).ok());
  std::string many = "notifications:\n  sinks:\n";
  for (size_t i = 0; i <= kMaxNotificationSinks; ++i) {
    many += "    - {name: s" + std::to_string(i) + ", type: webhook, url: 'http://h/'}\n";
  }
  const Status too_many = LoadYaml(many, &c);
  EXPECT_FALSE(too_many.ok());
  EXPECT_NE(too_many.message().find("at most"), std::string::npos) << too_many.ToString();
}

}  // namespace
}  // namespace augur::config
