#include "config/config.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace augur::config
