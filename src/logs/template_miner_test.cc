#include "logs/template_miner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace augur::logs {
namespace {

std::string Text(const TemplateMiner& m, uint64_t id) {
  auto v = m.Find(id);
  return v ? std::string(v->text) : "(none)";
}

// A small stream of several services' messages, with values that vary.
std::vector<std::string> Corpus(int n) {
  std::vector<std::string> lines;
  const char* users[] = {"root", "admin", "guest", "oracle", "test", "pi", "ubuntu"};
  for (int i = 0; i < n; ++i) {
    const std::string a = std::to_string(i % 7 + 1) + "." + std::to_string(i % 13) + ".0." + std::to_string(i % 251);
    switch (i % 6) {
      case 0:
        lines.push_back("Accepted password for " + std::string(users[i % 7]) + " from " + a + " port " +
                        std::to_string(1000 + i) + " ssh2");
        break;
      case 1:
        lines.push_back("PacketResponder " + std::to_string(i % 3) + " for block blk_" + std::to_string(i * 7919) +
                        " terminating");
        break;
      case 2:
        lines.push_back("Took " + std::to_string(i % 5) + "." + std::to_string(i % 97) +
                        " seconds to spawn the instance on the hypervisor.");
        break;
      case 3: lines.push_back("session closed for user " + std::string(users[(i / 6) % 7])); break;
      case 4:
        lines.push_back("GET /v2/" + std::to_string(i) + "/servers/detail status: 200 len: " +
                        std::to_string(1800 + i % 100) + " time: 0." + std::to_string(i % 1000));
        break;
      default: lines.push_back("Verification succeeded for blk_" + std::to_string(i)); break;
    }
  }
  return lines;
}

TEST(TemplateMinerTest, RepeatsShareATemplate) {
  TemplateMiner m;
  const AddResult a = m.Add("Accepted password for root from 1.2.3.4 port 22 ssh2", 10);
  const AddResult b = m.Add("Accepted password for root from 5.6.7.8 port 4022 ssh2", 20);
  EXPECT_TRUE(a.new_template);
  EXPECT_FALSE(b.new_template);
  EXPECT_EQ(a.template_id, b.template_id);
  auto v = m.Find(a.template_id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->text, "Accepted password for root from <*> port <*> ssh2");
  EXPECT_EQ(v->count, 2u);
  EXPECT_EQ(v->first_seen_ns, 10);
  EXPECT_EQ(v->last_seen_ns, 20);
  EXPECT_EQ(m.size(), 1u);
}

TEST(TemplateMinerTest, DifferentEventsDifferentTemplates) {
  TemplateMiner m;
  const uint64_t a = m.Add("Took 1.5 seconds to spawn the instance on the hypervisor.", 0).template_id;
  const uint64_t b = m.Add("Took 2.1 seconds to destroy the instance on the hypervisor.", 0).template_id;
  const uint64_t c = m.Add("Disconnecting: Too many authentication failures for admin [preauth]", 0).template_id;
  const uint64_t d = m.Add("Disconnecting: Too many authentication failures for root [preauth]", 0).template_id;
  EXPECT_NE(a, b);  // one word differs, twice: not yet evidence of a value
  EXPECT_NE(c, d);
  EXPECT_EQ(m.size(), 4u);
}

TEST(TemplateMinerTest, WordWhereAValueWasMerges) {
  TemplateMiner m;
  const AddResult first = m.Add("Failed password for invalid user 4242 from 1.1.1.1 port 22 ssh2", 0);
  const AddResult second = m.Add("Failed password for invalid user admin from 2.2.2.2 port 23 ssh2", 0);
  EXPECT_EQ(second.template_id, first.template_id);
  EXPECT_FALSE(second.new_template);
  EXPECT_EQ(Text(m, first.template_id), "Failed password for invalid user <*> from <*> port <*> ssh2");
  EXPECT_EQ(m.Add("Failed password for invalid user oracle from 3.3.3.3 port 24 ssh2", 0).template_id,
            first.template_id);
  EXPECT_EQ(m.Find(first.template_id)->count, 3u);
}

TEST(TemplateMinerTest, EnoughDistinctWordsMakeAValue) {
  MinerOptions o;
  o.distinct_values_to_merge = 5;
  TemplateMiner m(o);
  std::vector<uint64_t> ids;
  for (const char* user : {"cyrus", "news", "test", "root"}) {
    ids.push_back(m.Add(std::string("session closed for user ") + user, 0).template_id);
  }
  EXPECT_EQ(m.size(), 4u);  // four words: still four events
  const AddResult fifth = m.Add("session closed for user mail", 0);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_FALSE(fifth.new_template);
  EXPECT_EQ(fifth.template_id, ids[0]);  // the oldest id survives
  for (uint64_t id : ids) EXPECT_EQ(m.Resolve(id), ids[0]);
  EXPECT_EQ(Text(m, ids[1]), "session closed for user <*>");
  EXPECT_EQ(m.Find(ids[0])->count, 5u);
  EXPECT_EQ(m.stats().merges, 4u);
  EXPECT_EQ(m.Add("session closed for user nobody", 0).template_id, ids[0]);
}

TEST(TemplateMinerTest, KeyValueWordsKeepTheKey) {
  TemplateMiner m;
  uint64_t id = 0;
  for (const char* user : {"root", "admin", "guest", "oracle", "mysql"}) {
    id = m.Add(std::string("authentication failure; rhost=1.2.3.4 user=") + user, 0).template_id;
  }
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(Text(m, id), "authentication failure; rhost=<*> user=<*>");
  EXPECT_EQ(m.Add("authentication failure; rhost=9.9.9.9 user=ftp", 0).template_id, id);
}

TEST(TemplateMinerTest, DigitVariantsNeedLessEvidence) {
  TemplateMiner m;
  const uint64_t a = m.Add("Processor [CPU0] (supports C1)", 0).template_id;
  m.Add("Processor [CPU1] (supports C1)", 0);
  EXPECT_EQ(m.size(), 2u);  // "CPU0" alone reads as a name, like "eth0"
  const uint64_t c = m.Add("Processor [CPU7] (supports C1)", 0).template_id;
  EXPECT_EQ(c, a);
  EXPECT_EQ(Text(m, a), "Processor [CPU<*>] (supports C<*>)");
  // Words that differ by more than digits are held to the full count.
  m.Add("via interface eth0 up", 0);
  m.Add("via interface alt0 up", 0);
  m.Add("via interface scip0 up", 0);
  EXPECT_EQ(m.size(), 4u);
}

TEST(TemplateMinerTest, FirstWordOfAShortTemplateStaysAWord) {
  TemplateMiner m;
  for (const char* d : {"cupsd", "hcid", "klogd", "portmap", "sdpd", "syslogd", "xinetd"}) {
    m.Add(std::string(d) + " startup succeeded", 0);
  }
  EXPECT_EQ(m.size(), 7u);
  // In a long template the first word may be a value.
  TemplateMiner long_m;
  uint64_t id = 0;
  for (const char* job : {"com.apple.a.b:", "com.apple.c:", "com.apple.d.e:", "com.apple.f:", "com.apple.g.h:"}) {
    id = long_m
             .Add(std::string(job) +
                      " scheduler told me to run this job; however, the start time isn't for 12 "
                      "seconds. Ignoring.",
                  0)
             .template_id;
  }
  EXPECT_EQ(long_m.size(), 1u);
  EXPECT_EQ(Text(long_m, id).substr(0, 15), "com.apple.<*>: ");
}

TEST(TemplateMinerTest, OptionalValuesMergeAcrossLengths) {
  TemplateMiner m;
  const uint64_t a = m.Add("h.example.com:80 close, 0 bytes sent, 0 bytes received, lifetime 00:01", 0).template_id;
  const uint64_t b =
      m.Add("h.example.com:80 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime 00:02", 0)
          .template_id;
  const uint64_t c =
      m.Add("h.example.com:80 close, 403 bytes sent, 426 bytes received, lifetime <1 sec", 0).template_id;
  EXPECT_EQ(b, a);
  EXPECT_EQ(c, a);
  auto v = m.Find(a);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->variable_length);
  EXPECT_EQ(
      m.Add("other.example.org:443 close, 5 bytes (0.1 KB) sent, 7 bytes received, lifetime 01:02", 0).template_id, a);
  // A trailing word that is not a value keeps templates apart.
  const uint64_t d = m.Add("PAM 2 more authentication failures; rhost=1.2.3.4", 0).template_id;
  const uint64_t e = m.Add("PAM 2 more authentication failures; rhost=1.2.3.4 user=root", 0).template_id;
  EXPECT_NE(d, e);
}

TEST(TemplateMinerTest, TemplatesAreBoundedAndEvictionCounted) {
  MinerOptions o;
  o.max_templates = 3;
  TemplateMiner m(o);
  const uint64_t first = m.Add("alpha event happened", 0).template_id;
  m.Add("beta thing occurred here", 0);
  m.Add("gamma", 0);
  m.Add("alpha event happened", 1);  // touch: alpha is now the most recent
  m.Add("delta is a fourth shape", 0);
  m.Add("epsilon makes five of them now", 0);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.stats().templates_evicted, 2u);
  EXPECT_EQ(m.Resolve(first), first);  // recently matched: kept
  EXPECT_EQ(m.stats().templates_created, 5u);
  uint64_t evicted = 0;
  for (uint64_t id = 1; id <= 5; ++id) evicted += m.Resolve(id) == 0;
  EXPECT_EQ(evicted, 2u);
  EXPECT_FALSE(m.Find(2));  // beta went first
}

TEST(TemplateMinerTest, ChurnStaysWithinBounds) {
  MinerOptions o;
  o.max_templates = 20;
  o.max_aliases = 10;
  o.max_cache_entries = 50;
  TemplateMiner m(o);
  std::vector<uint64_t> handed_out;
  const std::vector<std::string> corpus = Corpus(300);
  for (size_t i = 0; i < corpus.size(); ++i) {
    handed_out.push_back(m.Add(corpus[i], 0).template_id);
    // Distinct events (two words apart) to force evictions.
    std::string word_a, word_b;
    for (size_t k = i + 1; k > 0; k /= 26) word_a.push_back(static_cast<char>('a' + k % 26));
    for (size_t k = i * 7 + 3; k > 0; k /= 26) word_b.push_back(static_cast<char>('a' + k % 26));
    handed_out.push_back(m.Add("unit " + word_a + " moved to state " + word_b + " after 5 ms", 0).template_id);
    ASSERT_LE(m.size(), 20u);
  }
  EXPECT_GT(m.stats().templates_evicted, 0u);
  for (uint64_t id : handed_out) {
    const uint64_t now = m.Resolve(id);
    if (now != 0) {
      EXPECT_TRUE(m.Find(now).has_value());
    }
  }
  size_t seen = 0;
  m.ForEach([&](const TemplateView&) { ++seen; });
  EXPECT_EQ(seen, m.size());
  TemplateMiner copy(o);
  ASSERT_TRUE(copy.LoadState(m.SaveState()).ok());
  EXPECT_EQ(copy.SaveState(), m.SaveState());
}

TEST(TemplateMinerTest, AliasesAndCacheAreBounded) {
  MinerOptions o;
  o.max_aliases = 2;
  o.max_cache_entries = 3;
  TemplateMiner m(o);
  for (const char* user : {"cyrus", "news", "test", "root", "mail"}) m.Add(std::string("closed for user ") + user, 0);
  EXPECT_EQ(m.stats().merges, 4u);
  EXPECT_EQ(m.stats().aliases_dropped, 2u);
  int resolvable = 0;
  for (uint64_t id = 2; id <= 5; ++id) resolvable += m.Resolve(id) == 1;
  EXPECT_EQ(resolvable, 2);  // the other two aliases were dropped
  EXPECT_EQ(m.Resolve(1), 1u);
  EXPECT_GE(m.stats().cache_clears, 1u);
  // Still one template for this event.
  EXPECT_EQ(m.Add("closed for user news", 0).template_id, 1u);
  EXPECT_EQ(m.size(), 1u);
}

TEST(TemplateMinerTest, LongLinesAreCut) {
  MinerOptions o;
  o.max_line_bytes = 32;
  o.mask.max_tokens = 4;
  TemplateMiner m(o);
  const std::string big = "start " + std::string(100, 'x') + " end";
  const AddResult r = m.Add(big, 0);
  EXPECT_EQ(m.stats().lines_cut, 1u);
  EXPECT_EQ(Text(m, r.template_id).size(), 32u);
  m.Add("a b c d e f g", 0);
  EXPECT_EQ(m.stats().tokens_cut, 1u);
}

TEST(TemplateMinerTest, EmptyMessageHasATemplate) {
  TemplateMiner m;
  const AddResult a = m.Add("", 0);
  const AddResult b = m.Add("   ", 0);
  EXPECT_NE(a.template_id, 0u);
  EXPECT_EQ(a.template_id, b.template_id);
  EXPECT_EQ(Text(m, a.template_id), "");
}

TEST(TemplateMinerTest, EventTimesComeFromRecords) {
  TemplateMiner m;
  const uint64_t id = m.Add("job 1 done", 500).template_id;
  m.Add("job 2 done", 100);  // late record
  m.Add("job 3 done", 900);
  auto v = m.Find(id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->first_seen_ns, 100);
  EXPECT_EQ(v->last_seen_ns, 900);
}

TEST(TemplateMinerTest, Deterministic) {
  const std::vector<std::string> corpus = Corpus(600);
  TemplateMiner a, b;
  for (const std::string& line : corpus) {
    EXPECT_EQ(a.Add(line, 0).template_id, b.Add(line, 0).template_id);
  }
  std::vector<std::string> ta, tb;
  a.ForEach([&](const TemplateView& v) { ta.push_back(std::to_string(v.id) + " " + std::string(v.text)); });
  b.ForEach([&](const TemplateView& v) { tb.push_back(std::to_string(v.id) + " " + std::string(v.text)); });
  EXPECT_EQ(ta, tb);
  EXPECT_EQ(a.SaveState(), b.SaveState());
  // Six events, users merged into a value.
  EXPECT_EQ(a.size(), 6u);
}

TEST(TemplateMinerTest, SaveLoadRoundTrip) {
  const std::vector<std::string> corpus = Corpus(1200);
  TemplateMiner original;
  for (size_t i = 0; i < 600; ++i) original.Add(corpus[i], static_cast<int64_t>(i));
  const std::string bytes = original.SaveState();

  TemplateMiner restored;
  ASSERT_TRUE(restored.LoadState(bytes).ok());
  EXPECT_EQ(restored.SaveState(), bytes);
  auto dump = [](const TemplateMiner& m) {
    std::vector<std::string> out;
    m.ForEach([&](const TemplateView& v) {
      out.push_back(std::to_string(v.id) + "|" + std::string(v.text) + "|" + std::to_string(v.count) + "|" +
                    std::to_string(v.first_seen_ns) + "|" + std::to_string(v.last_seen_ns));
    });
    return out;
  };
  EXPECT_EQ(dump(restored), dump(original));
  EXPECT_EQ(restored.stats().records, 600u);
  // Both go on the same way, ids included; merged-away ids still resolve.
  for (size_t i = 600; i < corpus.size(); ++i) {
    EXPECT_EQ(restored.Add(corpus[i], static_cast<int64_t>(i)).template_id,
              original.Add(corpus[i], static_cast<int64_t>(i)).template_id);
  }
  for (uint64_t id = 1; id < 20; ++id) EXPECT_EQ(restored.Resolve(id), original.Resolve(id));
  EXPECT_EQ(dump(restored), dump(original));
}

TEST(TemplateMinerTest, LoadRefusesBadBytes) {
  TemplateMiner m;
  m.Add("keep me 1", 0);
  const std::string good = m.SaveState();
  TemplateMiner other;
  other.Add("other 1", 0);
  EXPECT_FALSE(other.LoadState("").ok());
  EXPECT_FALSE(other.LoadState("xLTM\x01").ok());
  std::string wrong_version = good;
  wrong_version[4] = 9;
  EXPECT_FALSE(other.LoadState(wrong_version).ok());
  EXPECT_FALSE(other.LoadState(good.substr(0, good.size() - 3)).ok());
  EXPECT_FALSE(other.LoadState(good + "x").ok());
  // A failed load leaves the miner as it was.
  EXPECT_EQ(other.size(), 1u);
  EXPECT_EQ(Text(other, 1), "other <*>");
  ASSERT_TRUE(other.LoadState(good).ok());
  EXPECT_EQ(Text(other, 1), "keep me <*>");
}

TEST(TemplateMinerTest, LoadIntoASmallerMinerKeepsTheRecent) {
  TemplateMiner big;
  big.Add("one thing", 0);
  big.Add("two words here", 0);
  big.Add("three", 0);
  MinerOptions o;
  o.max_templates = 2;
  TemplateMiner small(o);
  ASSERT_TRUE(small.LoadState(big.SaveState()).ok());
  EXPECT_EQ(small.size(), 2u);
  EXPECT_FALSE(small.Find(1));
  EXPECT_TRUE(small.Find(3));
  EXPECT_EQ(small.stats().templates_evicted, 1u);
}

}  // namespace
}  // namespace augur::logs
