#include "topology/topology_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "topology/test_spans.h"

namespace augur::topology {
namespace {

using model::SpanKind;
using testing::At;
using testing::Int;
using testing::kMs;
using testing::kT0;
using testing::MakeBatch;
using testing::Str;
using testing::TestSpan;

constexpr uint64_t kS = 1'000'000'000;

// gateway → writer → redis, shifted by `at_ms`; writer's own work is
// `writer_self_ms` (its duration minus the 30 ms redis call).
std::vector<TestSpan> WriteTrace(uint64_t trace, double at_ms, double writer_self_ms = 50, bool redis_error = false) {
  double writer_end = at_ms + 10 + 30 + writer_self_ms;
  return {
      {"gateway", trace, 1, 0, "GET /api", SpanKind::kServer, at_ms, writer_end + 10, {}, false},
      {"gateway",
       trace,
       2,
       1,
       "POST /items",
       SpanKind::kClient,
       at_ms + 5,
       writer_end + 5,
       {Str("server.address", "writer"), Int("server.port", 8080)},
       false},
      {"writer", trace, 3, 2, "POST /items", SpanKind::kServer, at_ms + 10, writer_end, {}, false},
      {"writer",
       trace,
       4,
       3,
       "SET",
       SpanKind::kClient,
       at_ms + 20,
       at_ms + 50,
       {Str("db.system", "redis"), Str("db.namespace", "items")},
       redis_error},
  };
}

// Moves the watermark far enough that every bucket up to `ms` is closed.
void CloseThrough(TopologyBuilder* b, double ms) {
  b->AdvanceTo(At(ms) + 60 * kS);
}

const EdgeSummary* FindEdge(const Topology& t, std::string_view from, std::string_view to) {
  for (const EdgeSummary& e : t.edges) {
    if (e.from == from && e.to == to) return &e;
  }
  return nullptr;
}

const OperationSummary* FindOperation(const Topology& t, std::string_view service, std::string_view op, SpanKind kind) {
  for (const NodeSummary& n : t.nodes) {
    if (n.name != service || n.kind != NodeKind::kService) continue;
    for (const OperationSummary& o : n.operations) {
      if (o.name == op && o.kind == kind) return &o;
    }
  }
  return nullptr;
}

TEST(TopologyBuilderTest, GatewayWriterRedis) {
  TopologyBuilder b;
  const int kTraces = 12;
  for (int i = 0; i < kTraces; ++i) b.Add(MakeBatch(WriteTrace(i + 1, i * 1000.0, 50, i % 4 == 0)));
  CloseThrough(&b, kTraces * 1000.0);
  Topology t = b.Snapshot(kT0, kT0 + 3600 * kS);

  ASSERT_EQ(t.edges.size(), 2u);
  const EdgeSummary* gw = FindEdge(t, "gateway", "writer");
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->to_kind, NodeKind::kService);  // the server child wins over server.address
  EXPECT_EQ(gw->operation, "POST /items");
  EXPECT_EQ(gw->calls, static_cast<uint64_t>(kTraces));
  EXPECT_EQ(gw->errors, 0u);
  EXPECT_NEAR(gw->latency_ms.p50, 90, 90 * 0.02);  // the client span: 5 ms before and after the server's 80 ms
  EXPECT_EQ(gw->total_calls, static_cast<uint64_t>(kTraces));

  const EdgeSummary* db = FindEdge(t, "writer", "redis/items");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->to_kind, NodeKind::kDatabase);
  EXPECT_EQ(db->operation, "SET");
  EXPECT_EQ(db->calls, static_cast<uint64_t>(kTraces));
  EXPECT_EQ(db->errors, 3u);
  EXPECT_NEAR(db->latency_ms.p50, 30, 30 * 0.02);

  const OperationSummary* w = FindOperation(t, "writer", "POST /items", SpanKind::kServer);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->count, static_cast<uint64_t>(kTraces));
  EXPECT_NEAR(w->self_ms.p50, 50, 50 * 0.02);
  EXPECT_NEAR(w->self_ms.mean, 50, 1e-6);
  EXPECT_NEAR(w->downstream_ms.p50, 30, 30 * 0.02);
  const OperationSummary* set = FindOperation(t, "writer", "SET", SpanKind::kClient);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->errors, 3u);
  EXPECT_EQ(set->error_origins, 3u);
  const OperationSummary* root = FindOperation(t, "gateway", "GET /api", SpanKind::kServer);
  ASSERT_NE(root, nullptr);
  EXPECT_NEAR(root->self_ms.mean, 10, 1e-6);

  // Nodes: two traced services and the database, sorted by name.
  ASSERT_EQ(t.nodes.size(), 3u);
  EXPECT_EQ(t.nodes[0].name, "gateway");
  EXPECT_EQ(t.nodes[0].requests, static_cast<uint64_t>(kTraces));
  EXPECT_EQ(t.nodes[1].name, "redis/items");
  EXPECT_EQ(t.nodes[1].kind, NodeKind::kDatabase);
  EXPECT_FALSE(t.nodes[1].traced);
  EXPECT_EQ(t.nodes[2].name, "writer");
  EXPECT_TRUE(t.nodes[2].traced);

  // The operations a service's spans were recorded under, by name and kind.
  const auto writer_ops = b.OperationsOf("writer");
  ASSERT_EQ(writer_ops.size(), 2u);
  EXPECT_EQ(writer_ops[0], std::make_pair(std::string("POST /items"), SpanKind::kServer));
  EXPECT_EQ(writer_ops[1], std::make_pair(std::string("SET"), SpanKind::kClient));
  EXPECT_TRUE(b.OperationsOf("redis/items").empty());  // named by callers only
  EXPECT_TRUE(b.OperationsOf("nobody").empty());

  TopologyStats s = b.stats();
  EXPECT_EQ(s.traces.traces_completed, static_cast<uint64_t>(kTraces));
  EXPECT_EQ(s.orphan_spans, 0u);
  EXPECT_EQ(s.graph.late_measurements, 0u);
  EXPECT_EQ(s.unattributed_calls, 0u);
}

TEST(TopologyBuilderTest, DependencyNamesFollowRedPrecedence) {
  std::vector<TestSpan> spans = {
      {"api", 1, 1, 0, "a", SpanKind::kClient, 0, 1, {Str("peer.service", "billing"), Str("db.system", "pg")}},
      {"api", 1, 2, 0, "b", SpanKind::kClient, 0, 1, {Str("db.system", "postgresql"), Str("db.name", "shop")}},
      {"api", 1, 3, 0, "c", SpanKind::kClient, 0, 1, {Str("rpc.system", "grpc"), Str("rpc.service", "Cart")}},
      {"api", 1, 4, 0, "d", SpanKind::kClient, 0, 1, {Str("server.address", "example.com")}},
      {"api", 1, 5, 0, "e", SpanKind::kClient, 0, 1, {Str("net.peer.name", "old.example.com")}},
      {"api",
       1,
       6,
       0,
       "f",
       SpanKind::kProducer,
       0,
       1,
       {Str("server.address", "broker"), Str("messaging.system", "kafka"),
        Str("messaging.destination.name", "orders")}},
      {"api", 1, 7, 0, "g", SpanKind::kClient, 0, 1, {}},
  };
  TopologyBuilder b;
  b.Add(MakeBatch(spans));
  CloseThrough(&b, 1);
  Topology t = b.Snapshot(kT0, kT0 + 3600 * kS);
  std::vector<std::pair<std::string, NodeKind>> targets;
  for (const EdgeSummary& e : t.edges) targets.emplace_back(e.to, e.to_kind);
  std::sort(targets.begin(), targets.end());
  std::vector<std::pair<std::string, NodeKind>> want = {{"billing", NodeKind::kService},
                                                        {"example.com", NodeKind::kExternal},
                                                        {"grpc/Cart", NodeKind::kRpc},
                                                        {"kafka/orders", NodeKind::kMessaging},
                                                        {"old.example.com", NodeKind::kExternal},
                                                        {"postgresql/shop", NodeKind::kDatabase}};
  EXPECT_EQ(targets, want);
  EXPECT_EQ(b.stats().unattributed_calls, 1u);
}

TEST(TopologyBuilderTest, SelfTimeBeforeAndAfterAnOnset) {
  TopologyBuilder b;
  // One request a second; writer's own work goes from 50 to 150 ms at 30 s.
  for (int i = 0; i < 60; ++i) b.Add(MakeBatch(WriteTrace(i + 1, i * 1000.0, i < 30 ? 50 : 150)));
  CloseThrough(&b, 60'000);
  WindowStats before = b.OperationWindow("writer", "POST /items", SpanKind::kServer, kT0, kT0 + 30 * kS);
  WindowStats after = b.OperationWindow("writer", "POST /items", std::nullopt, kT0 + 30 * kS, kT0 + 60 * kS);
  EXPECT_EQ(before.cell.count, 30u);
  EXPECT_EQ(after.cell.count, 30u);
  EXPECT_EQ(before.resolution_ns, 5 * kS);
  EXPECT_EQ(before.buckets, 6u);
  EXPECT_NEAR(before.cell.a.Quantile(0.5), 50, 1);
  EXPECT_NEAR(after.cell.a.Quantile(0.5), 150, 3);
  // Downstream (redis) time did not change: the cause is writer's own.
  EXPECT_NEAR(before.cell.b.Quantile(0.5), 30, 0.6);
  EXPECT_NEAR(after.cell.b.Quantile(0.5), 30, 0.6);
  WindowStats redis = b.EdgeWindow("writer", "redis/items", std::nullopt, kT0 + 30 * kS, kT0 + 60 * kS);
  EXPECT_EQ(redis.cell.count, 30u);
  EXPECT_EQ(b.OperationWindow("nobody", "POST /items", std::nullopt, kT0, kT0 + 60 * kS).cell.count, 0u);

  // The same buckets as points: 12 buckets of 5 requests for each operation.
  std::vector<OperationPoint> ops;
  std::vector<EdgePoint> edges;
  b.TakeClosed(&ops, &edges);
  std::vector<const OperationPoint*> writer;
  for (const OperationPoint& p : ops) {
    if (p.service == "writer" && p.operation == "POST /items") writer.push_back(&p);
  }
  ASSERT_EQ(writer.size(), 12u);
  for (size_t i = 0; i < writer.size(); ++i) {
    EXPECT_EQ(writer[i]->time_ns, kT0 + i * 5 * kS);
    EXPECT_EQ(writer[i]->count, 5u);
    EXPECT_NEAR(writer[i]->self_ms.Quantile(0.5), i < 6 ? 50 : 150, 3);
  }
  EXPECT_EQ(edges.size(), 24u);  // two edges, 12 buckets
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end(), [](const OperationPoint& a, const OperationPoint& b) {
    return std::tie(a.time_ns, a.service, a.operation) < std::tie(b.time_ns, b.service, b.operation);
  }));
  ops.clear();
  b.TakeClosed(&ops, nullptr);
  EXPECT_TRUE(ops.empty());
}

TEST(TopologyBuilderTest, OrphansAndChildrenArrivingFirst) {
  TopologyBuilder b;
  std::vector<TestSpan> t = WriteTrace(1, 0);
  // Writer's spans only (gateway never sends), the redis child before its parent.
  b.Add(MakeBatch({t[3]}));
  b.Add(MakeBatch({t[2]}));
  CloseThrough(&b, 1000);
  Topology topo = b.Snapshot(kT0, kT0 + 3600 * kS);
  const OperationSummary* w = FindOperation(topo, "writer", "POST /items", SpanKind::kServer);
  ASSERT_NE(w, nullptr);
  EXPECT_NEAR(w->self_ms.mean, 50, 1e-6);
  EXPECT_EQ(b.stats().orphan_spans, 1u);
  EXPECT_EQ(FindEdge(topo, "gateway", "writer"), nullptr);
  EXPECT_NE(FindEdge(topo, "writer", "redis/items"), nullptr);
}

TEST(TopologyBuilderTest, LateSpansAreAttributed) {
  TopologyBuilder b;
  std::vector<TestSpan> t = WriteTrace(1, 0);
  b.Add(MakeBatch({t[2], t[3]}));
  b.AdvanceTo(At(6000));  // quiet for 5 s: the trace completes without gateway
  EXPECT_EQ(b.stats().traces.traces_completed, 1u);
  b.Add(MakeBatch({t[1]}));  // gateway's client span, then its server span
  b.Add(MakeBatch({t[0]}));
  CloseThrough(&b, 1000);
  TopologyStats s = b.stats();
  EXPECT_EQ(s.traces.late_spans, 2u);
  EXPECT_EQ(s.traces.traces_completed, 1u);
  EXPECT_EQ(s.graph.late_measurements, 0u);
  Topology topo = b.Snapshot(kT0, kT0 + 3600 * kS);
  const EdgeSummary* gw = FindEdge(topo, "gateway", "writer");
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->to_kind, NodeKind::kService);
  EXPECT_EQ(gw->calls, 1u);
  EXPECT_NEAR(FindOperation(topo, "gateway", "POST /items", SpanKind::kClient)->self_ms.mean, 10, 1e-6);
  EXPECT_NEAR(FindOperation(topo, "gateway", "GET /api", SpanKind::kServer)->self_ms.mean, 10, 1e-6);
  EXPECT_NEAR(FindOperation(topo, "writer", "POST /items", SpanKind::kServer)->self_ms.mean, 50, 1e-6);

  // Too late: the bucket has closed. Counted, not recorded.
  TopologyBuilder c;
  c.Add(MakeBatch({t[2], t[3]}));
  c.AdvanceTo(At(40'000));
  c.Add(MakeBatch({t[1]}));
  EXPECT_EQ(c.stats().graph.late_measurements, 2u);  // its self time and its call to writer
  EXPECT_EQ(c.stats().graph.calls_recorded, 2u);     // the call still counts in the edge's totals
}

TEST(TopologyBuilderTest, BoundsAreCounted) {
  TopologyOptions o;
  o.assembler.max_open_traces = 3;
  o.assembler.max_spans_per_trace = 3;
  o.max_operations = 4;
  TopologyBuilder b(o);
  std::vector<TestSpan> all;
  for (int i = 0; i < 10; ++i) {
    for (const TestSpan& s : WriteTrace(i + 1, i)) all.push_back(s);
  }
  b.Add(MakeBatch(all));
  b.Flush();
  TopologyStats s = b.stats();
  EXPECT_EQ(s.traces.spans_overflow, 10u);    // the 4th span of each trace
  EXPECT_EQ(s.traces.traces_forced, 7u);      // 10 concurrent traces, 3 held
  EXPECT_EQ(s.traces.traces_completed, 10u);  // 7 forced + 3 flushed
  EXPECT_EQ(s.graph.operations, 3u);          // gateway ×2, writer: the redis span was dropped
  EXPECT_EQ(s.traces.open_traces, 0u);

  TopologyOptions tight = o;
  tight.max_operations = 2;
  TopologyBuilder c(tight);
  c.Add(MakeBatch(all));
  c.Flush();
  EXPECT_EQ(c.stats().graph.operations, 2u);
  EXPECT_EQ(c.stats().graph.operation_overflow, 10u);
}

// A reproducible workload: ~400 traces over two minutes, spans sent by
// their service's exporter up to 4 s after they end (within the lateness).
std::vector<TestSpan> Workload(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(0, 1);
  struct Sent {
    double at;
    TestSpan span;
  };
  std::vector<Sent> sent;
  for (int i = 0; i < 400; ++i) {
    double start = i * 300.0 + jitter(rng) * 100;
    double self = 20 + 40 * jitter(rng);
    std::vector<TestSpan> t = WriteTrace(i + 1, start, self, jitter(rng) < 0.1);
    if (jitter(rng) < 0.3) {  // a second, overlapping redis call
      TestSpan extra = t[3];
      extra.id = 5;
      extra.start_ms += 15;
      extra.end_ms += 15;
      t.push_back(extra);
    }
    for (TestSpan& s : t) sent.push_back({s.end_ms + 4000 * jitter(rng), s});
  }
  std::stable_sort(sent.begin(), sent.end(), [](const Sent& a, const Sent& b) { return a.at < b.at; });
  std::vector<TestSpan> out;
  for (Sent& s : sent) out.push_back(std::move(s.span));
  return out;
}

struct Outcome {
  std::string state;
  std::string snapshot;
  std::vector<OperationPoint> ops;
  std::vector<EdgePoint> edges;
};

Outcome RunBuilder(const std::vector<TestSpan>& spans, const std::vector<size_t>& cuts) {
  TopologyBuilder b;
  Outcome out;
  size_t begin = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    size_t end = i < cuts.size() ? cuts[i] : spans.size();
    b.Add(MakeBatch(std::vector<TestSpan>(spans.begin() + begin, spans.begin() + end)));
    b.TakeClosed(&out.ops, &out.edges);
    begin = end;
  }
  CloseThrough(&b, 200'000);
  b.TakeClosed(&out.ops, &out.edges);
  out.state = b.SaveState();
  out.snapshot = ToJson(b.Snapshot(kT0, kT0 + 3600 * kS)).dump();
  return out;
}

TEST(TopologyBuilderTest, SameSpansInOtherBatchesGiveTheSameOutput) {
  std::vector<TestSpan> spans = Workload(7);
  Outcome one = RunBuilder(spans, {});
  std::mt19937 rng(11);
  std::vector<size_t> cuts;
  for (size_t at = 0; at < spans.size();) {
    at += 1 + rng() % 37;
    if (at < spans.size()) cuts.push_back(at);
  }
  Outcome many = RunBuilder(spans, cuts);
  EXPECT_EQ(one.state, many.state);
  EXPECT_EQ(one.snapshot, many.snapshot);
  ASSERT_EQ(one.ops.size(), many.ops.size());
  ASSERT_GT(one.ops.size(), 50u);
  for (size_t i = 0; i < one.ops.size(); ++i) {
    EXPECT_EQ(one.ops[i].time_ns, many.ops[i].time_ns);
    EXPECT_EQ(one.ops[i].service, many.ops[i].service);
    EXPECT_EQ(one.ops[i].operation, many.ops[i].operation);
    EXPECT_EQ(one.ops[i].count, many.ops[i].count);
    EXPECT_EQ(one.ops[i].self_ms, many.ops[i].self_ms);
    EXPECT_EQ(one.ops[i].downstream_ms, many.ops[i].downstream_ms);
  }
  ASSERT_EQ(one.edges.size(), many.edges.size());
  for (size_t i = 0; i < one.edges.size(); ++i) {
    EXPECT_EQ(one.edges[i].calls, many.edges[i].calls);
    EXPECT_EQ(one.edges[i].duration_ms, many.edges[i].duration_ms);
  }
  // And a different workload gives a different answer (the comparison can fail).
  EXPECT_NE(RunBuilder(Workload(8), {}).snapshot, one.snapshot);
}

TEST(TopologyBuilderTest, WorkloadCountsAreExact) {
  std::vector<TestSpan> spans = Workload(3);
  uint64_t redis_calls = 0;
  for (const TestSpan& s : spans) redis_calls += s.name == "SET";
  TopologyBuilder b;
  b.Add(MakeBatch(spans));
  CloseThrough(&b, 200'000);
  Topology t = b.Snapshot(kT0, kT0 + 3600 * kS);
  ASSERT_NE(FindEdge(t, "gateway", "writer"), nullptr);
  EXPECT_EQ(FindEdge(t, "gateway", "writer")->calls, 400u);
  EXPECT_EQ(FindEdge(t, "writer", "redis/items")->calls, redis_calls);
  EXPECT_EQ(b.stats().traces.late_spans, 0u);
  EXPECT_EQ(b.stats().graph.late_measurements, 0u);
}

TEST(TopologyBuilderTest, StateRoundTrips) {
  std::vector<TestSpan> spans = Workload(5);
  TopologyBuilder a;
  a.Add(MakeBatch(spans));
  CloseThrough(&a, 200'000);
  std::string state = a.SaveState();

  TopologyBuilder b;
  ASSERT_TRUE(b.LoadState(state).ok());
  EXPECT_EQ(b.SaveState(), state);
  EXPECT_EQ(b.watermark(), a.watermark());
  EXPECT_EQ(ToJson(b.Snapshot(kT0, kT0 + 3600 * kS)).dump(), ToJson(a.Snapshot(kT0, kT0 + 3600 * kS)).dump());
  WindowStats wa = a.OperationWindow("writer", "POST /items", std::nullopt, kT0, kT0 + 60 * kS);
  WindowStats wb = b.OperationWindow("writer", "POST /items", std::nullopt, kT0, kT0 + 60 * kS);
  EXPECT_GT(wa.cell.count, 0u);
  EXPECT_EQ(wa.cell, wb.cell);

  // Refused, and nothing changes: truncated, another version, another width.
  TopologyBuilder c;
  EXPECT_FALSE(c.LoadState(state.substr(0, state.size() / 2)).ok());
  EXPECT_FALSE(c.LoadState(state + "x").ok());
  std::string other_version = state;
  other_version[3] = 2;
  EXPECT_FALSE(c.LoadState(other_version).ok());
  TopologyOptions o;
  o.history.bucket_width_ns = 10 * kS;
  TopologyBuilder d(o);
  EXPECT_FALSE(d.LoadState(state).ok());
  EXPECT_TRUE(c.Snapshot(kT0, kT0 + 3600 * kS).nodes.empty());
  EXPECT_EQ(c.stats().names, 1u);  // only "(other)"
}

TEST(TopologyBuilderTest, JsonShape) {
  TopologyBuilder b;
  b.Add(MakeBatch(WriteTrace(1, 0)));
  CloseThrough(&b, 1000);
  nlohmann::json j = ToJson(b.Snapshot(kT0, kT0 + 60 * kS));
  EXPECT_EQ(j["from"], "2023-11-14T22:14:00Z");
  EXPECT_EQ(j["resolution_s"], 5);
  ASSERT_EQ(j["nodes"].size(), 3u);
  EXPECT_EQ(j["nodes"][1]["name"], "redis/items");
  EXPECT_EQ(j["nodes"][1]["kind"], "database");
  const nlohmann::json& writer = j["nodes"][2];
  EXPECT_EQ(writer["requests"], 1);
  EXPECT_EQ(writer["operations"][0]["name"], "POST /items");
  EXPECT_EQ(writer["operations"][0]["span_kind"], "SERVER");
  EXPECT_NEAR(writer["operations"][0]["self_ms"]["mean"].get<double>(), 50, 1e-6);
  ASSERT_EQ(j["edges"].size(), 2u);
  EXPECT_EQ(j["edges"][0]["from"], "gateway");
  EXPECT_EQ(j["edges"][0]["to_kind"], "service");
  EXPECT_EQ(j["edges"][0]["total"]["calls"], 1);
  EXPECT_EQ(j["edges"][1]["to"], "redis/items");
}

// Not a pass/fail figure: prints spans per second for the report.
TEST(TopologyBuilderTest, Throughput) {
  const int kTraces = 50'000;
  std::vector<model::Batch> batches;
  std::vector<TestSpan> pending;
  size_t spans = 0;
  for (int i = 0; i < kTraces; ++i) {
    for (TestSpan& s : WriteTrace(i + 1, i * 2.0, 40 + i % 20)) pending.push_back(std::move(s));
    if (pending.size() >= 512) {
      spans += pending.size();
      batches.push_back(MakeBatch(pending));
      pending.clear();
    }
  }
  TopologyBuilder b;
  auto start = std::chrono::steady_clock::now();
  for (const model::Batch& batch : batches) {
    b.Add(batch);
    b.TakeClosed(nullptr, nullptr);
  }
  b.Flush();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("topology: %zu spans in %.3f s: %.0f spans/s\n", spans, seconds, spans / seconds);
  // 100 s of event time: each of the 6 series has 20 fine cells and 2 coarse ones.
  std::printf("topology: histories hold ~%zu bytes for %llu operations and %llu edges\n", b.ApproxHistoryBytes(),
              static_cast<unsigned long long>(b.stats().graph.operations),
              static_cast<unsigned long long>(b.stats().graph.edges));
  EXPECT_EQ(b.stats().traces.traces_completed + b.stats().traces.open_traces, batches.size() * 128);
}

}  // namespace
}  // namespace augur::topology

namespace augur::topology {
namespace {

TEST(TopologyBuilderTest, OperationLinksTieEntryOperationsToWhatTheyCall) {
  TopologyBuilder b;
  for (int i = 0; i < 3; ++i) b.Add(MakeBatch(WriteTrace(i + 1, i * 1000.0)));
  CloseThrough(&b, 3000.0);
  const auto from_gateway = b.LinksFrom("gateway", "GET /api");
  ASSERT_EQ(from_gateway.size(), 1u);
  EXPECT_EQ(from_gateway[0],
            (OperationLink{"gateway", "GET /api", "POST /items", "writer", NodeKind::kService, "POST /items"}));
  const auto from_writer = b.LinksFrom("writer", "POST /items");
  ASSERT_EQ(from_writer.size(), 1u);
  EXPECT_EQ(from_writer[0], (OperationLink{"writer", "POST /items", "SET", "redis/items", NodeKind::kDatabase, ""}));
  // The client span's own name finds the link too.
  EXPECT_EQ(b.LinksFrom("writer", "SET"), from_writer);
  EXPECT_EQ(b.LinksTo("writer", "POST /items"), from_gateway);
  EXPECT_TRUE(b.LinksFrom("writer", "GET /nothing").empty());
  EXPECT_EQ(b.ServiceBehindPeer("gateway", "writer:8080"), "writer");
  EXPECT_EQ(b.ServiceBehindPeer("writer", "redis/items"), "");
  EXPECT_EQ(b.stats().links, 2u);
}

}  // namespace
}  // namespace augur::topology
