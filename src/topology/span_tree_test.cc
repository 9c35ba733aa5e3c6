#include "topology/span_tree.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

namespace augur::topology {
namespace {

using model::SpanKind;

// Services and names are plain ids here.
constexpr uint32_t kGateway = 1, kWriter = 2, kRedis = 3, kOpA = 10, kOpB = 11, kOpC = 12;

SpanRecord Rec(uint64_t id, uint64_t parent, uint32_t service, SpanKind kind, uint64_t start_ms, uint64_t end_ms,
               uint32_t peer = kNoName, NodeKind peer_kind = NodeKind::kExternal) {
  SpanRecord r;
  r.span_id = id;
  r.parent_id = parent;
  r.service = service;
  r.operation = kOpA + static_cast<uint32_t>(id % 3);
  r.kind = kind;
  r.start_ns = start_ms * 1'000'000;
  r.end_ns = end_ms * 1'000'000;
  r.peer = peer;
  r.peer_kind = peer_kind;
  return r;
}

TEST(SpanTreeTest, SelfTimeIsDurationMinusChildren) {
  std::vector<SpanRecord> spans = {Rec(1, 0, kWriter, SpanKind::kServer, 0, 100),
                                   Rec(2, 1, kWriter, SpanKind::kClient, 10, 40)};
  SpanTree tree;
  tree.Index(spans);
  EXPECT_EQ(tree.parent(1), 0u);
  EXPECT_EQ(tree.parent(0), SpanTree::kNone);
  SpanCost c = tree.Cost(spans, 0);
  EXPECT_EQ(c.self_ns, 70'000'000u);
  EXPECT_EQ(c.downstream_ns, 30'000'000u);
  SpanCost leaf = tree.Cost(spans, 1);
  EXPECT_EQ(leaf.self_ns, 30'000'000u);
  EXPECT_EQ(leaf.downstream_ns, 0u);
}

TEST(SpanTreeTest, OverlappingChildrenCountOnce) {
  // Children [10,40], [30,60] overlap; [80,90] apart; the union is 60 ms.
  std::vector<SpanRecord> spans = {
      Rec(1, 0, kWriter, SpanKind::kServer, 0, 100), Rec(3, 1, kWriter, SpanKind::kClient, 30, 60),
      Rec(2, 1, kWriter, SpanKind::kClient, 10, 40), Rec(4, 1, kWriter, SpanKind::kInternal, 80, 90),
      Rec(5, 1, kWriter, SpanKind::kInternal, 35, 38)};  // inside another
  SpanTree tree;
  tree.Index(spans);
  SpanCost c = tree.Cost(spans, 0);
  EXPECT_EQ(c.downstream_ns, 60'000'000u);
  EXPECT_EQ(c.self_ns, 40'000'000u);
}

TEST(SpanTreeTest, ChildrenAreClippedToTheParent) {
  // An async child outliving its parent, and one starting before it (skew).
  std::vector<SpanRecord> spans = {
      Rec(1, 0, kWriter, SpanKind::kServer, 100, 200), Rec(2, 1, kWriter, SpanKind::kProducer, 190, 500),
      Rec(3, 1, kWriter, SpanKind::kClient, 50, 120), Rec(4, 1, kWriter, SpanKind::kClient, 300, 400)};  // wholly after
  SpanTree tree;
  tree.Index(spans);
  SpanCost c = tree.Cost(spans, 0);
  EXPECT_EQ(c.downstream_ns, 30'000'000u);  // [190,200] + [100,120]
  EXPECT_EQ(c.self_ns, 70'000'000u);
}

TEST(SpanTreeTest, OnlyDirectChildrenCount) {
  std::vector<SpanRecord> spans = {Rec(1, 0, kWriter, SpanKind::kServer, 0, 100),
                                   Rec(2, 1, kWriter, SpanKind::kInternal, 10, 50),
                                   Rec(3, 2, kWriter, SpanKind::kClient, 20, 90)};  // grandchild, outlives 2
  SpanTree tree;
  tree.Index(spans);
  EXPECT_EQ(tree.Cost(spans, 0).self_ns, 60'000'000u);
  EXPECT_EQ(tree.Cost(spans, 1).self_ns, 10'000'000u);  // [20,50] covered of [10,50]
}

TEST(SpanTreeTest, ErrorOriginIsTheDeepestError) {
  std::vector<SpanRecord> spans = {Rec(1, 0, kGateway, SpanKind::kServer, 0, 100),
                                   Rec(2, 1, kGateway, SpanKind::kClient, 10, 90),
                                   Rec(3, 2, kWriter, SpanKind::kServer, 20, 80)};
  for (auto& s : spans) s.flags |= kSpanError;
  SpanTree tree;
  tree.Index(spans);
  EXPECT_FALSE(tree.Cost(spans, 0).error_origin);
  EXPECT_FALSE(tree.Cost(spans, 1).error_origin);
  EXPECT_TRUE(tree.Cost(spans, 2).error_origin);
}

TEST(SpanTreeTest, CallsAcrossServicesAndToDependencies) {
  std::vector<SpanRecord> spans = {
      Rec(1, 0, kGateway, SpanKind::kServer, 0, 100),
      Rec(2, 1, kGateway, SpanKind::kClient, 5, 95, /*peer=*/kWriter, NodeKind::kExternal),
      Rec(3, 2, kWriter, SpanKind::kServer, 10, 90),
      Rec(4, 3, kWriter, SpanKind::kClient, 20, 30, /*peer=*/kRedis, NodeKind::kDatabase),
      Rec(5, 3, kWriter, SpanKind::kClient, 40, 50),  // names nothing: unattributed
  };
  spans[3].flags |= kSpanError;
  SpanTree tree;
  tree.Index(spans);
  std::vector<Call> calls;
  EXPECT_EQ(tree.CollectCalls(spans, &calls), 1u);
  ASSERT_EQ(calls.size(), 2u);
  // The client span with a server child counts once, to the service, not its peer attribute.
  EXPECT_EQ(calls[0].from, kGateway);
  EXPECT_EQ(calls[0].to, kWriter);
  EXPECT_EQ(calls[0].to_kind, NodeKind::kService);
  EXPECT_EQ(calls[0].operation, spans[1].operation);
  EXPECT_EQ(calls[0].duration_ns, 90'000'000u);
  EXPECT_EQ(calls[0].time_ns, 95'000'000u);
  EXPECT_FALSE(calls[0].error);
  EXPECT_EQ(calls[1].from, kWriter);
  EXPECT_EQ(calls[1].to, kRedis);
  EXPECT_EQ(calls[1].to_kind, NodeKind::kDatabase);
  EXPECT_EQ(calls[1].duration_ns, 10'000'000u);
  EXPECT_TRUE(calls[1].error);
  // Counted once: a second pass finds nothing new.
  calls.clear();
  tree.CollectCalls(spans, &calls);
  EXPECT_TRUE(calls.empty());
}

TEST(SpanTreeTest, ServerUnderNonClientParentIsNamedByTheServer) {
  std::vector<SpanRecord> spans = {Rec(1, 0, kGateway, SpanKind::kServer, 0, 100),
                                   Rec(2, 1, kWriter, SpanKind::kServer, 10, 60)};
  SpanTree tree;
  tree.Index(spans);
  std::vector<Call> calls;
  tree.CollectCalls(spans, &calls);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].operation, spans[1].operation);
  EXPECT_EQ(calls[0].duration_ns, 50'000'000u);
}

TEST(SpanTreeTest, NestedClientsCountOnlyTheInnermost) {
  std::vector<SpanRecord> spans = {
      Rec(1, 0, kWriter, SpanKind::kServer, 0, 100),
      Rec(2, 1, kWriter, SpanKind::kClient, 10, 60, kRedis, NodeKind::kDatabase),  // ORM
      Rec(3, 2, kWriter, SpanKind::kClient, 15, 55, kRedis, NodeKind::kDatabase),  // driver
  };
  SpanTree tree;
  tree.Index(spans);
  std::vector<Call> calls;
  tree.CollectCalls(spans, &calls);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].duration_ns, 40'000'000u);
}

TEST(SpanTreeTest, OrphansAndDuplicates) {
  std::vector<SpanRecord> spans = {Rec(3, 99, kWriter, SpanKind::kServer, 0, 100),  // parent 99 absent
                                   Rec(4, 3, kWriter, SpanKind::kClient, 10, 20),
                                   Rec(4, 3, kWriter, SpanKind::kClient, 10, 20)};  // exporter retry
  SpanTree tree;
  tree.Index(spans);
  EXPECT_EQ(tree.parent(0), SpanTree::kNone);
  EXPECT_FALSE(tree.duplicate(spans, 1));
  EXPECT_TRUE(tree.duplicate(spans, 2));
  EXPECT_EQ(tree.children(0).size(), 1u);
  EXPECT_EQ(tree.Cost(spans, 0).self_ns, 90'000'000u);
}

TEST(SpanTreeTest, LateSpansTakePartInTheirCalls) {
  // Gateway's client span arrives after writer's server span was analysed.
  std::vector<SpanRecord> spans = {Rec(3, 2, kWriter, SpanKind::kServer, 10, 90)};
  SpanTree tree;
  tree.Index(spans);
  std::vector<Call> calls;
  tree.CollectCalls(spans, &calls);
  EXPECT_TRUE(calls.empty());
  spans.push_back(Rec(2, 1, kGateway, SpanKind::kClient, 5, 95, kWriter, NodeKind::kExternal));
  tree.Index(spans);
  EXPECT_EQ(tree.CollectCallsOf(spans, 1, &calls), 0u);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].to, kWriter);
  EXPECT_EQ(calls[0].to_kind, NodeKind::kService);
  EXPECT_EQ(tree.Cost(spans, 1).self_ns, 10'000'000u);

  // A client counted as a call to its peer, then its server child arrives
  // late: still one call.
  std::vector<SpanRecord> t2 = {Rec(2, 1, kGateway, SpanKind::kClient, 5, 95, kWriter, NodeKind::kExternal)};
  tree.Index(t2);
  calls.clear();
  tree.CollectCalls(t2, &calls);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].to_kind, NodeKind::kExternal);
  t2.push_back(Rec(3, 2, kWriter, SpanKind::kServer, 10, 90));
  tree.Index(t2);
  calls.clear();
  tree.CollectCallsOf(t2, 1, &calls);
  EXPECT_TRUE(calls.empty());
}

auto Fields(const Call& c) {
  return std::tie(c.from, c.to, c.to_kind, c.operation, c.time_ns, c.duration_ns, c.error, c.entry_operation,
                  c.callee_operation, c.caller_peer);
}

// A late span indexed alone (IndexLast) must give what re-indexing its
// whole trace gives: duplicate mark, parent, children, cost, calls and the
// flags the calls leave. Random traces with few distinct ids, so they have
// duplicates, orphans, spans naming themselves or each other as parent,
// and children arriving before their parents.
TEST(SpanTreeTest, IndexLastMatchesAFullIndex) {
  const SpanKind kinds[] = {SpanKind::kUnspecified, SpanKind::kInternal, SpanKind::kServer,
                            SpanKind::kClient,      SpanKind::kProducer, SpanKind::kConsumer};
  size_t late_spans = 0, late_calls = 0, late_with_children = 0;
  for (uint32_t seed = 0; seed < 2000; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&rng](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    const uint32_t n = 2 + pick(14), ids = 2 + pick(n);
    std::vector<SpanRecord> all;
    for (uint32_t k = 0; k < n; ++k) {
      const uint64_t start = pick(50);
      SpanRecord r = Rec(pick(ids + 1), pick(ids + 2), 1 + pick(3), kinds[pick(6)], start, start + 1 + pick(60),
                         pick(3) == 0 ? kNoName : 20 + pick(2), NodeKind::kDatabase);
      if (pick(4) == 0) r.flags |= kSpanError;
      all.push_back(r);
    }
    const uint32_t first = 1 + pick(n - 1);
    std::vector<SpanRecord> a(all.begin(), all.begin() + first);
    std::vector<SpanRecord> b = a;
    SpanTree ta, tb;
    std::vector<Call> ca, cb;
    ta.Index(a);
    tb.Index(b);
    ta.CollectCalls(a, &ca);
    tb.CollectCalls(b, &cb);
    for (uint32_t k = first; k < n; ++k) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << " span " << k);
      a.push_back(all[k]);
      b.push_back(all[k]);
      ta.IndexLast(a);
      tb.Index(b);
      ++late_spans;
      ASSERT_EQ(ta.duplicate(a, k), tb.duplicate(b, k));
      ASSERT_EQ(ta.parent(k), tb.parent(k));
      std::vector<uint32_t> children_a(ta.children(k).begin(), ta.children(k).end());
      std::vector<uint32_t> children_b(tb.children(k).begin(), tb.children(k).end());
      ASSERT_EQ(children_a, children_b);
      late_with_children += !children_a.empty();
      const SpanCost cost_a = ta.Cost(a, k), cost_b = tb.Cost(b, k);
      ASSERT_EQ(cost_a.self_ns, cost_b.self_ns);
      ASSERT_EQ(cost_a.downstream_ns, cost_b.downstream_ns);
      ASSERT_EQ(cost_a.error_origin, cost_b.error_origin);
      ca.clear();
      cb.clear();
      ASSERT_EQ(ta.CollectCallsOf(a, k, &ca), tb.CollectCallsOf(b, k, &cb));
      ASSERT_EQ(ca.size(), cb.size());
      for (size_t c = 0; c < ca.size(); ++c) ASSERT_EQ(Fields(ca[c]), Fields(cb[c])) << "call " << c;
      late_calls += ca.size();
      for (uint32_t i = 0; i <= k; ++i) ASSERT_EQ(a[i].flags, b[i].flags) << "flags of span " << i;
    }
  }
  // The random traces did exercise what is compared.
  EXPECT_GT(late_spans, 5000u);
  EXPECT_GT(late_calls, 1000u);
  EXPECT_GT(late_with_children, 500u);
}

TEST(SpanTreeTest, ParentCyclesDoNotHang) {
  // Two gateway spans naming each other as parent; the first calls writer.
  // Finding the call's entry operation climbs the cycle: it must end.
  const SpanRecord x = Rec(1, 2, kGateway, SpanKind::kInternal, 0, 100);
  const SpanRecord y = Rec(2, 1, kGateway, SpanKind::kInternal, 0, 100);
  const SpanRecord server = Rec(3, 1, kWriter, SpanKind::kServer, 10, 50);
  SpanTree tree;
  std::vector<Call> calls;
  std::vector<SpanRecord> spans = {x, y, server};
  tree.Index(spans);
  EXPECT_EQ(tree.CollectCalls(spans, &calls), 0u);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].from, kGateway);
  EXPECT_EQ(calls[0].to, kWriter);

  // The same with the writer span arriving late.
  spans = {x, y};
  tree.Index(spans);
  calls.clear();
  EXPECT_EQ(tree.CollectCalls(spans, &calls), 0u);
  EXPECT_TRUE(calls.empty());
  spans.push_back(server);
  tree.IndexLast(spans);
  EXPECT_EQ(tree.CollectCallsOf(spans, 2, &calls), 0u);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].to, kWriter);
}
}  // namespace
}  // namespace augur::topology
