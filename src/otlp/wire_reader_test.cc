#include "otlp/wire_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace augur::otlp::wire {
namespace {

TEST(ValidUtf8, AcceptsWellFormedText) {
  for (const std::string& s : std::vector<std::string>{"", "plain ascii, longer than eight bytes", "é", "日本語",
                                                       "🙂", "mixed é 日 🙂 end", "\xef\xbf\xbf",
                                                       "\xf4\x8f\xbf\xbf", std::string("nul\0inside", 10)}) {
    EXPECT_TRUE(ValidUtf8(s)) << s;
  }
}

TEST(ValidUtf8, RefusesIllFormedText) {
  for (const std::string& s : std::vector<std::string>{
           "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc3", "\xc3\x28", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
           "\xed\xbf\xbf", "\xe2\x82", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
           "\xff", "eight ok \xff after", "\xf0\x9f\x99"}) {
    EXPECT_FALSE(ValidUtf8(s)) << s;
  }
}

TEST(Reader, ReadsFieldsAndSkipsUnknownOnes) {
  // field 1 varint 300, field 2 "ab", field 3 fixed32 7, a group 4 holding field 1, field 5 fixed64 9.
  const std::string body = std::string(
                               "\x08\xac\x02\x12\x02"
                               "ab\x1d\x07\x00\x00\x00\x23\x08\x01\x24",
                               16) +
                           std::string("\x29\x09\x00\x00\x00\x00\x00\x00\x00", 9);
  Error error;
  Reader r(body, body.data(), &error);
  uint32_t field;
  WireType type;
  uint64_t v;
  std::string_view s;
  uint32_t f32;
  ASSERT_TRUE(r.Next(&field, &type));
  EXPECT_EQ(field, 1u);
  ASSERT_TRUE(r.Varint(&v));
  EXPECT_EQ(v, 300u);
  ASSERT_TRUE(r.Next(&field, &type));
  ASSERT_TRUE(r.Bytes(&s));
  EXPECT_EQ(s, "ab");
  ASSERT_TRUE(r.Next(&field, &type));
  ASSERT_TRUE(r.Fixed32(&f32));
  EXPECT_EQ(f32, 7u);
  ASSERT_TRUE(r.Next(&field, &type));
  EXPECT_EQ(type, kStartGroup);
  ASSERT_TRUE(r.Skip(field, type, kMaxDepth));
  ASSERT_TRUE(r.Next(&field, &type));
  EXPECT_EQ(field, 5u);
  ASSERT_TRUE(r.Fixed64(&v));
  EXPECT_EQ(v, 9u);
  EXPECT_FALSE(r.Next(&field, &type));
  EXPECT_TRUE(r.ok());
}

TEST(Reader, KeepsTheFirstErrorAndItsOffset) {
  const std::string body(
      "\x12\x05"
      "ab",
      4);  // a length beyond the data
  Error error;
  Reader r(body, body.data(), &error);
  uint32_t field;
  WireType type;
  std::string_view s;
  ASSERT_TRUE(r.Next(&field, &type));
  EXPECT_FALSE(r.Bytes(&s));
  EXPECT_STREQ(error.what, "length exceeds the message");
  EXPECT_EQ(error.offset, 2u);
  EXPECT_FALSE(r.Next(&field, &type));
  EXPECT_FALSE(r.Fail("later"));
  EXPECT_STREQ(error.what, "length exceeds the message");
}

TEST(Reader, MessagesNestAtMost100Deep) {
  const std::string body("\x0a\x00", 2);
  Error error;
  Reader r(body, body.data(), &error);
  uint32_t field;
  WireType type;
  Reader sub = r;
  ASSERT_TRUE(r.Next(&field, &type));
  EXPECT_FALSE(r.Message(0, &sub));
  Reader again(body, body.data(), &error);
  EXPECT_FALSE(again.ok());  // the error is shared by the decode's readers
}

}  // namespace
}  // namespace augur::otlp::wire
