#include "logs/masker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/render.h"

namespace augur::logs {
namespace {

// The shapes of a line, joined by " | ".
std::string Shapes(std::string_view line, MaskOptions options = {}) {
  LineMasker masker(options);
  MaskedLine out;
  masker.Mask(line, &out);
  std::string s;
  for (const MaskedToken& t : out.tokens) {
    if (!s.empty()) s += " | ";
    s += t.shape;
  }
  return s;
}

TEST(MaskerTest, Numbers) {
  EXPECT_EQ(Shapes("PacketResponder 1 for block blk_38865049064139660 terminating"),
            "PacketResponder | <*> | for | block | <*> | terminating");
  EXPECT_EQ(Shapes("size -12 ratio 0.25 total 1,024 exp 6.02e23"),
            "size | <*> | ratio | <*> | total | <*>,<*> | exp | <*>");
  EXPECT_EQ(Shapes("retry (3) of [5],"), "retry | (<*>) | of | [<*>],");
}

TEST(MaskerTest, Hex) {
  EXPECT_EQ(Shapes("vis=0x1f state 0001edfe"), "vis=<*> | state | <*>");
  EXPECT_EQ(Shapes("mask=ffffffff flags"), "mask=<*> | flags");  // no decimal digit
  EXPECT_EQ(Shapes("feedback loop"), "feedback | loop");
}

TEST(MaskerTest, IpAddresses) {
  EXPECT_EQ(Shapes("10.251.73.220:50010 Served block to /10.251.73.220"), "<*> | Served | block | to | <*>");
  EXPECT_EQ(Shapes("connected to fe80::1%eth0 now"), "connected | to | <*> | now");
  EXPECT_EQ(Shapes("peer 2607:f140:6000:8:c6b3:1ff:fecd:467f up"), "peer | <*> | up");
  EXPECT_EQ(Shapes("rhost=218.188.2.4 ok"), "rhost=<*> | ok");
}

TEST(MaskerTest, Uuids) {
  EXPECT_EQ(Shapes("[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] Claim successful"),
            "[instance: | <*>] | Claim | successful");
  EXPECT_EQ(Shapes("id=B9000564-FE1A-409B-B8CC-1E88B294CD1D"), "id=<*>");
}

TEST(MaskerTest, Paths) {
  EXPECT_EQ(Shapes("open /var/log/messages now"), "open | <*> | now");
  EXPECT_EQ(Shapes("get http://example.com/a?b=c done"), "get | <*> | done");
  EXPECT_EQ(Shapes("load C:\\Windows\\Logs\\CBS done"), "load | <*> | done");
  EXPECT_EQ(Shapes("read/write lock/unlock"), "read/write | lock/unlock");
  MaskOptions off;
  off.paths = false;
  EXPECT_EQ(Shapes("open /var/log/messages now", off), "open | /var/log/messages | now");
}

TEST(MaskerTest, HostNames) {
  EXPECT_EQ(Shapes("rhost=zummit.com user=root"), "rhost=<*> | user=root");
  EXPECT_EQ(Shapes("proxy.cse.cuhk.edu.hk:5070 open"), "<*> | open");
  EXPECT_EQ(Shapes("service com.apple.networkd"), "service | com.apple.networkd");  // a package, not a host
}

TEST(MaskerTest, Durations) {
  EXPECT_EQ(Shapes("took 12ms"), "took | <*>");
  EXPECT_EQ(Shapes("took 1.5s"), "took | <*>");
  EXPECT_EQ(Shapes("took 1.5 s"), "took | <*>");  // number and unit collapse into one value
  EXPECT_EQ(Shapes("lifetime 00:01 ok"), "lifetime | <*> | ok");
  EXPECT_EQ(Shapes("size 5.2 KB, free 317.1 KB)"), "size | <*> | <*>, | free | <*> | <*>)");
  MaskOptions off;
  off.units = false;
  EXPECT_EQ(Shapes("took 1.5 s", off), "took | <*> | s");
}

TEST(MaskerTest, KeyValues) {
  EXPECT_EQ(Shapes("uid=0 euid=0 tty=:0 user=root"), "uid=<*> | euid=<*> | tty=<*> | user=root");
  EXPECT_EQ(Shapes("cancelNotification,index:0"), "cancelNotification,index:<*>");
  EXPECT_EQ(Shapes("QQ(10018) deny(1)"), "QQ(<*>) | deny(<*>)");
  EXPECT_EQ(Shapes("illegal instruction......0"), "illegal | instruction......<*>");
}

TEST(MaskerTest, NamedUnitsStayWords) {
  EXPECT_EQ(Shapes("via interface eth0 using ssh2"), "via | interface | eth0 | using | ssh2");
  EXPECT_EQ(Shapes("proxy SOCKS5 vs HTTPS"), "proxy | SOCKS5 | vs | HTTPS");
}

TEST(MaskerTest, ValueLists) {
  EXPECT_EQ(Shapes("failed to resolve an14 an15 an16 an17"), "failed | to | resolve | <*>");
  EXPECT_EQ(Shapes("failed to resolve dadmin2 dadmin3"), "failed | to | resolve | <*>");
  EXPECT_EQ(Shapes("delete blk_1 blk_2 blk_3"), "delete | <*>");
  EXPECT_EQ(Shapes("nodesets node-32 0x2 <ok> node-34 0x1fe <ok> node-33 0x1fe <ok>"), "nodesets | <*> | <ok>");
  EXPECT_EQ(Shapes("eth0 eth0"), "eth0 | eth0");  // identical words are no list
  MaskOptions off;
  off.value_lists = false;
  EXPECT_EQ(Shapes("delete blk_1 blk_2", off), "delete | <*> | <*>");
}

TEST(MaskerTest, Calendar) {
  EXPECT_EQ(Shapes("connection at Mon Jun 20 03:40:59 2005"), "connection | at | <*>");
  EXPECT_EQ(Shapes("the may flag"), "the | may | flag");  // a month word alone is a word
  MaskOptions off;
  off.calendar = false;
  EXPECT_EQ(Shapes("at Jun 20 03:40:59", off), "at | Jun | <*>");
}

TEST(MaskerTest, EscapedSpaceJoinsToken) {
  EXPECT_EQ(Shapes("nodes:node-[27\\ 191] ok"), "nodes:node-[<*>] | ok");
}

TEST(MaskerTest, RawTextAndSeparators) {
  LineMasker masker;
  MaskedLine out;
  masker.Mask("  rhost=1.2.3.4  user=root \tdelete blk_1 blk_2", &out);
  ASSERT_EQ(out.tokens.size(), 4u);
  EXPECT_EQ(out.tokens[0].raw, "rhost=1.2.3.4");
  EXPECT_EQ(out.tokens[0].sep, "");
  EXPECT_EQ(out.tokens[1].sep, "  ");
  EXPECT_EQ(out.tokens[2].sep, " \t");
  EXPECT_EQ(out.tokens[3].raw, "blk_1 blk_2");  // the collapsed run keeps all its text
  EXPECT_TRUE(out.tokens[3].has_wildcard);
  EXPECT_FALSE(out.tokens[2].has_wildcard);
}

TEST(MaskerTest, EmptyAndBlank) {
  EXPECT_EQ(Shapes(""), "");
  EXPECT_EQ(Shapes(" \t "), "");
}

TEST(MaskerTest, TooManyTokensBecomeOneValue) {
  MaskOptions o;
  o.max_tokens = 4;
  LineMasker masker(o);
  MaskedLine out;
  masker.Mask("a b c d e f", &out);
  ASSERT_EQ(out.tokens.size(), 4u);
  EXPECT_TRUE(out.truncated);
  EXPECT_EQ(out.tokens[3].shape, "<*>");
  EXPECT_EQ(out.tokens[3].raw, "d e f");
  masker.Mask("a b c d", &out);
  EXPECT_FALSE(out.truncated);
  EXPECT_EQ(out.tokens[3].shape, "d");
}

TEST(MaskerTest, ReusedBuffersGiveTheSameAnswer) {
  LineMasker masker;
  MaskedLine out;
  masker.Mask("a very long line with values 1 2 3 and /paths/to/x and more words", &out);
  masker.Mask("took 1.5 s", &out);
  ASSERT_EQ(out.tokens.size(), 2u);
  EXPECT_EQ(out.tokens[1].shape, "<*>");
  EXPECT_EQ(out.tokens[1].raw, "1.5 s");
}

std::string Render(std::string_view raw) {
  std::string out;
  AppendRenderedValue(raw, &out);
  return out;
}

TEST(RenderTest, ValuesKeepTheirWords) {
  EXPECT_EQ(Render("blk_-1608999687919862906"), "blk_<*>");
  EXPECT_EQ(Render("attempt_1445144423722_0020_m_000002_0"), "attempt_<*>");
  EXPECT_EQ(Render("10.251.73.220:50010"), "<*>:<*>");
  EXPECT_EQ(Render("proxy.cse.cuhk.edu.hk:5070"), "<*>:<*>");
  EXPECT_EQ(Render("/10.250.10.6"), "/<*>");
  EXPECT_EQ(Render("/10.250.10.6:50010"), "/<*>:<*>");
  EXPECT_EQ(Render("0.2477829"), "<*>.<*>");
  EXPECT_EQ(Render("91178"), "<*>");
  EXPECT_EQ(Render("node-129"), "node-<*>");
  EXPECT_EQ(Render("(uid=0)"), "(uid=<*>)");
  EXPECT_EQ(Render("b9000564-fe1a-409b-b8cc-1e88b294cd1d]"), "<*>]");
  EXPECT_EQ(Render("/var/log/messages"), "<*>");
  EXPECT_EQ(Render("30546173_4261722401"), "<*>_<*>");
  EXPECT_EQ(Render("1 2 3"), "<*> <*> <*>");
  EXPECT_EQ(Render("jk2_init()"), "jk2_init()");  // nothing to mask: the caller keeps the shape
}

}  // namespace
}  // namespace augur::logs
