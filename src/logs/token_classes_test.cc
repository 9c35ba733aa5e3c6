#include "logs/token_classes.h"

#include <gtest/gtest.h>

namespace augur::logs {
namespace {

TEST(TokenClassesTest, Numbers) {
  for (const char* s : {"0", "42", "-7", "+3", "1.5", "0.2477829", "1,234,567", "6.02e23", "1E-9", ".5"}) {
    EXPECT_TRUE(IsNumber(s)) << s;
  }
  for (const char* s : {"", "-", "1.", "1..2", "e5", "12ms", "0x1f", "1-2", "v2"}) EXPECT_FALSE(IsNumber(s)) << s;
  EXPECT_TRUE(IsHexNumber("0x1f"));
  EXPECT_TRUE(IsHexNumber("0XABCDEF"));
  EXPECT_FALSE(IsHexNumber("0x"));
  EXPECT_FALSE(IsHexNumber("0xg1"));
}

TEST(TokenClassesTest, HexStrings) {
  EXPECT_TRUE(IsHexString("0001edfe"));
  EXPECT_TRUE(IsHexString("ffffffff"));  // no decimal digit, still a value
  EXPECT_TRUE(IsHexString("54fadb412c4e40cdbaed9335e4c35a9e"));
  EXPECT_FALSE(IsHexString("deadbee"));   // 7 digits
  EXPECT_FALSE(IsHexString("feedback"));  // 'k'
}

TEST(TokenClassesTest, Ipv4) {
  EXPECT_TRUE(IsIpv4("10.251.73.220"));
  EXPECT_TRUE(IsIpv4("10.251.73.220:50010"));
  EXPECT_TRUE(IsIpv4("0.0.0.0"));
  EXPECT_FALSE(IsIpv4("10.251.73"));
  EXPECT_FALSE(IsIpv4("1234.1.1.1"));
  EXPECT_FALSE(IsIpv4("10.251.73.220:"));
  EXPECT_FALSE(IsIpv4("10.251.73.220.5"));
}

TEST(TokenClassesTest, Ipv6) {
  EXPECT_TRUE(IsIpv6("2607:f140:6000:8:c6b3:1ff:fecd:467f"));
  EXPECT_TRUE(IsIpv6("fe80::1"));
  EXPECT_TRUE(IsIpv6("::1"));
  EXPECT_TRUE(IsIpv6("fe80::1%eth0"));
  EXPECT_FALSE(IsIpv6("a:b"));       // one colon
  EXPECT_FALSE(IsIpv6("ab:cd:ef"));  // no decimal digit: more likely a word list
  EXPECT_FALSE(IsIpv6("12:30:00.5"));
  EXPECT_FALSE(IsIpv6("fe80::1%"));
}

TEST(TokenClassesTest, Uuid) {
  EXPECT_TRUE(IsUuid("b9000564-fe1a-409b-b8cc-1e88b294cd1d"));
  EXPECT_TRUE(IsUuid("B9000564-FE1A-409B-B8CC-1E88B294CD1D"));
  EXPECT_FALSE(IsUuid("b9000564-fe1a-409b-b8cc-1e88b294cd1"));
  EXPECT_FALSE(IsUuid("b9000564-fe1a-409b-b8cc_1e88b294cd1d"));
  EXPECT_FALSE(IsUuid("g9000564-fe1a-409b-b8cc-1e88b294cd1d"));
}

TEST(TokenClassesTest, Paths) {
  for (const char* s :
       {"/var/log/messages", "/etc", "http://example.com/x", "a/b/c", "C:\\Windows\\Logs", "\\\\server\\share"}) {
    EXPECT_TRUE(IsPath(s)) << s;
  }
  for (const char* s : {"/", "lock/unlock", "4G/4G", "PS/2", "C:", "foo"}) EXPECT_FALSE(IsPath(s)) << s;
}

TEST(TokenClassesTest, HostNames) {
  for (const char* s : {"zummit.com", "proxy.cse.cuhk.edu.hk", "biblioteka.wsi.edu.pl", "a-b.example.org",
                        "24-54-76-216.bflony.adelphia.net", "node1.cluster.local"}) {
    EXPECT_TRUE(IsHostName(s)) << s;
  }
  for (const char* s : {"com.apple.icloud", "pkts_out.rrd", "libc.so", "android.os.Binder", "foo.pl", "a..com", ".com",
                        "example.", "localhost"}) {
    EXPECT_FALSE(IsHostName(s)) << s;
  }
}

TEST(TokenClassesTest, ClockTimes) {
  for (const char* s : {"03:55:15", "00:01", "12:30:00.250", "37:51"}) EXPECT_TRUE(IsClockTime(s)) << s;
  for (const char* s : {"12", "12:", ":30", "12:30.", "a:b"}) EXPECT_FALSE(IsClockTime(s)) << s;
}

TEST(TokenClassesTest, NamedUnitsStayWords) {
  for (const char* s : {"eth0", "ssh2", "IPV6", "SOCKS5", "alt0", "awdl0"}) EXPECT_TRUE(IsNamedUnit(s)) << s;
  for (const char* s : {"A8", "an14", "cn304", "v6", "0ab", "eth", "e1"}) EXPECT_FALSE(IsNamedUnit(s)) << s;
}

TEST(TokenClassesTest, CalendarAndUnits) {
  for (const char* s : {"Jul", "jul", "JULY", "Sun", "wednesday", "Sep"}) EXPECT_TRUE(IsCalendarWord(s)) << s;
  for (const char* s : {"Ju", "Julyy", "Sunny", "mayo"}) EXPECT_FALSE(IsCalendarWord(s)) << s;
  EXPECT_TRUE(IsMonthName("Dec"));
  EXPECT_FALSE(IsMonthName("Mon"));
  for (const char* s : {"B", "KB", "MiB", "ms", "s", "sec", "mins"}) EXPECT_TRUE(IsUnitWord(s)) << s;
  for (const char* s : {"b", "bytes", "seconds", "Kb", ""}) EXPECT_FALSE(IsUnitWord(s)) << s;
}

}  // namespace
}  // namespace augur::logs
