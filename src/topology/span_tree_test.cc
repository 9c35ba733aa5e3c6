#include "topology/span_tree.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace augur::topology
