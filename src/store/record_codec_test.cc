#include "store/record_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "model/json.h"

namespace augur::store {
namespace {

using model::AnyValue;
using model::ArrayValue;
using model::Attributes;
using nlohmann::json;

// The writer's JSON must read as the same document model::ToJson makes.
void ExpectSameAsModelJson(const Attributes& attributes) {
  std::string text;
  EncodeAttributes(attributes, &text);
  const json parsed = json::parse(text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << text;
  EXPECT_EQ(parsed, model::ToJson(attributes)) << text;
}

TEST(RecordCodecTest, AttributesMatchModelJson) {
  ExpectSameAsModelJson({});
  ExpectSameAsModelJson({
      {"s", {std::string("plain")}},
      {"escapes", {std::string("q\" b\\ nl\n tab\t cr\r bs\b ff\f ctl\x01\x1f del\x7f")}},
      {"utf8", {std::string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80")}},
      {"empty", {}},
      {"t", {true}},
      {"f", {false}},
      {"i", {std::numeric_limits<int64_t>::min()}},
      {"u", {std::numeric_limits<int64_t>::max()}},
      {"whole", {3.0}},
      {"neg", {-0.5}},
      {"tiny", {5e-324}},
      {"huge", {1.7976931348623157e308}},
      {"big_whole", {1e21}},
      {"bytes", {model::Bytes{0, 0xff, 7}}},
      {"nested", {ArrayValue{{ArrayValue{}}, {Attributes{{"k", {ArrayValue{{int64_t{1}}, {2.5}}}}}}}}},
  });
}

TEST(RecordCodecTest, DoublesKeepTheirKindAndValue) {
  for (double d : {0.0, -0.0, 1.0, 3.0, 0.1, 1e21, 1e-7, 123456789.0, std::numeric_limits<double>::max()}) {
    std::string text;
    EncodeValue(AnyValue{d}, &text);
    const AnyValue back = DecodeValue(text);
    ASSERT_TRUE(std::holds_alternative<double>(back.value)) << text;
    EXPECT_EQ(std::get<double>(back.value), d) << text;
    EXPECT_EQ(std::signbit(std::get<double>(back.value)), std::signbit(d)) << text;
  }
  std::string text;
  EncodeValue(AnyValue{std::numeric_limits<double>::quiet_NaN()}, &text);
  EXPECT_EQ(text, "\"NaN\"");
  EncodeValue(AnyValue{-std::numeric_limits<double>::infinity()}, &text);
  EXPECT_EQ(text, "\"-Infinity\"");
}

TEST(RecordCodecTest, InvalidUtf8IsReplaced) {
  // A stray continuation byte, a truncated sequence, an overlong form and a surrogate.
  for (std::string bad : {"a\x80z", "a\xe2\x82", "\xc0\xaf", "\xed\xa0\x80"}) {
    std::string text;
    EncodeValue(AnyValue{bad}, &text);
    const json parsed = json::parse(text, nullptr, false);
    ASSERT_TRUE(parsed.is_string()) << text;
    EXPECT_NE(parsed.get<std::string>().find("\xef\xbf\xbd"), std::string::npos) << text;
  }
}

TEST(RecordCodecTest, MalformedColumnsDecodeToEmptyValues) {
  EXPECT_TRUE(DecodeAttributes("{not json").empty());
  model::MetricPoint point;
  DecodeDistribution(R"({"histogram": {"bucket_counts": ["x"]}})", &point);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(point.distribution));
}

}  // namespace
}  // namespace augur::store
