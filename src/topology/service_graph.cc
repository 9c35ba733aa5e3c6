#include "topology/service_graph.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace augur::topology {

namespace {

constexpr uint8_t kMaxSpanKind = static_cast<uint8_t>(model::SpanKind::kConsumer);

double Ms(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

LatencySummary Summarize(const analysis::DDSketch& s) {
  LatencySummary l;
  if (s.empty()) return l;
  l.p50 = s.Quantile(0.5);
  l.p90 = s.Quantile(0.9);
  l.p99 = s.Quantile(0.99);
  l.mean = s.sum() / static_cast<double>(s.count());
  return l;
}

uint32_t Hi(uint64_t v) {
  return static_cast<uint32_t>(v >> 32);
}
uint32_t Lo(uint64_t v) {
  return static_cast<uint32_t>(v);
}

}  // namespace

size_t ServiceGraph::EdgeKeyHash::operator()(const EdgeKey& k) const {
  return static_cast<size_t>((k.first * 0x9E3779B97F4A7C15ULL) ^ (k.second * 0xC2B2AE3D27D4EB4FULL));
}

uint64_t ServiceGraph::OperationKey(uint32_t service, uint32_t operation, model::SpanKind kind) {
  // Operation ids fit in 29 bits: the builder caps the name table below 2^28.
  return (static_cast<uint64_t>(service) << 32) | (static_cast<uint64_t>(operation) << 3) | static_cast<uint64_t>(kind);
}

ServiceGraph::ServiceGraph(GraphOptions options, NameTable* names) : options_(options), names_(names) {
  HistoryOptions& h = options_.history;
  h.bucket_width_ns = std::max<uint64_t>(h.bucket_width_ns, 1);
  // A coarse bucket is a whole number of fine buckets, so each fine bucket
  // merges into exactly one.
  h.coarse_width_ns = std::max(h.coarse_width_ns, h.bucket_width_ns);
  if (h.coarse_width_ns % h.bucket_width_ns != 0) {
    h.coarse_width_ns += h.bucket_width_ns - h.coarse_width_ns % h.bucket_width_ns;
  }
}

void ServiceGraph::RecordSpan(const SpanRecord& span, const SpanCost& cost) {
  uint64_t bucket = BucketStart(span.end_ns);
  if (bucket < closed_before_) {
    ++stats_.late_measurements;
    return;
  }
  uint64_t key = OperationKey(span.service, span.operation, span.kind);
  auto it = operations_.find(key);
  if (it == operations_.end()) {
    if (operations_.size() >= options_.max_operations) {
      ++stats_.operation_overflow;
      return;
    }
    it = operations_.emplace(key, Operation{}).first;
  }
  Cell& c = it->second.history.At(bucket, options_.history);
  ++c.count;
  if (span.error()) ++c.errors;
  if (cost.error_origin) ++c.error_origins;
  c.a.Add(Ms(cost.self_ns));
  c.b.Add(Ms(cost.downstream_ns));
  ++stats_.spans_recorded;
}

void ServiceGraph::RecordCall(const Call& call) {
  EdgeKey key{(static_cast<uint64_t>(call.from) << 32) | call.to,
              (static_cast<uint64_t>(call.operation) << 3) | static_cast<uint64_t>(call.to_kind)};
  auto it = edges_.find(key);
  if (it == edges_.end()) {
    if (edges_.size() >= options_.max_edges) {
      ++stats_.edge_overflow;
      return;
    }
    Edge e;
    e.total_ms = analysis::DDSketch(options_.history.relative_accuracy, options_.history.max_bins);
    it = edges_.emplace(key, std::move(e)).first;
  }
  Edge& e = it->second;
  double ms = Ms(call.duration_ns);
  ++e.total_calls;
  if (call.error) ++e.total_errors;
  e.total_ms.Add(ms);
  ++stats_.calls_recorded;
  uint64_t bucket = BucketStart(call.time_ns);
  if (bucket < closed_before_) {
    ++stats_.late_measurements;
    return;
  }
  Cell& c = e.history.At(bucket, options_.history);
  ++c.count;
  if (call.error) ++c.errors;
  c.a.Add(ms);
}

void ServiceGraph::AdvanceTo(uint64_t watermark_ns) {
  watermark_ = std::max(watermark_, watermark_ns);
  if (watermark_ < options_.close_delay_ns) return;
  uint64_t closed_before = BucketStart(watermark_ - options_.close_delay_ns);
  if (closed_before <= closed_before_) return;
  closed_before_ = closed_before;
  const HistoryOptions& h = options_.history;
  fine_from_ = closed_before > h.fine_keep_ns ? BucketStart(closed_before - h.fine_keep_ns) : 0;
  uint64_t coarse_from = 0;
  if (closed_before > h.coarse_keep_ns) {
    coarse_from = closed_before - h.coarse_keep_ns;
    coarse_from -= coarse_from % h.coarse_width_ns;
  }

  size_t first_op = pending_operations_.size(), first_edge = pending_edges_.size();
  const bool emit = options_.closed_points;
  for (auto it = operations_.begin(); it != operations_.end();) {
    uint64_t key = it->first;
    it->second.history.Close(closed_before, fine_from_, coarse_from, h, [&](uint64_t start, const Cell& c) {
      if (!emit) return;
      if (pending_operations_.size() >= options_.max_pending_points) {
        ++stats_.points_dropped;
        return;
      }
      OperationPoint& p = pending_operations_.emplace_back();
      p.time_ns = start;
      p.service = Name(Hi(key));
      p.operation = Name(static_cast<uint32_t>((key >> 3) & 0x1FFFFFFF));
      p.kind = static_cast<model::SpanKind>(key & 7);
      p.count = c.count;
      p.errors = c.errors;
      p.error_origins = c.error_origins;
      p.self_ms = c.a;
      p.downstream_ms = c.b;
    });
    if (it->second.history.empty()) {
      it = operations_.erase(it);
      ++stats_.forgotten;
    } else {
      ++it;
    }
  }
  for (auto it = edges_.begin(); it != edges_.end();) {
    const EdgeKey key = it->first;
    it->second.history.Close(closed_before, fine_from_, coarse_from, h, [&](uint64_t start, const Cell& c) {
      if (!emit) return;
      if (pending_edges_.size() >= options_.max_pending_points) {
        ++stats_.points_dropped;
        return;
      }
      EdgePoint& p = pending_edges_.emplace_back();
      p.time_ns = start;
      p.from = Name(Hi(key.first));
      p.to = Name(Lo(key.first));
      p.to_kind = static_cast<NodeKind>(key.second & 7);
      p.operation = Name(static_cast<uint32_t>(key.second >> 3));
      p.calls = c.count;
      p.errors = c.errors;
      p.duration_ms = c.a;
    });
    if (it->second.history.empty()) {
      it = edges_.erase(it);
      ++stats_.forgotten;
    } else {
      ++it;
    }
  }
  // Hash order is not an order: sort what this step emitted. Earlier steps
  // emitted only older buckets, so the whole queue stays sorted.
  std::sort(pending_operations_.begin() + static_cast<std::ptrdiff_t>(first_op), pending_operations_.end(),
            [](const OperationPoint& a, const OperationPoint& b) {
              return std::tie(a.time_ns, a.service, a.operation, a.kind) <
                     std::tie(b.time_ns, b.service, b.operation, b.kind);
            });
  std::sort(pending_edges_.begin() + static_cast<std::ptrdiff_t>(first_edge), pending_edges_.end(),
            [](const EdgePoint& a, const EdgePoint& b) {
              return std::tie(a.time_ns, a.from, a.to, a.to_kind, a.operation) <
                     std::tie(b.time_ns, b.from, b.to, b.to_kind, b.operation);
            });
}

void ServiceGraph::TakeClosed(std::vector<OperationPoint>* operations, std::vector<EdgePoint>* edges) {
  if (operations != nullptr) {
    for (auto& p : pending_operations_) operations->push_back(std::move(p));
  }
  if (edges != nullptr) {
    for (auto& p : pending_edges_) edges->push_back(std::move(p));
  }
  pending_operations_.clear();
  pending_edges_.clear();
}

WindowStats ServiceGraph::OperationWindow(std::string_view service, std::string_view operation,
                                          std::optional<model::SpanKind> kind, uint64_t from_ns, uint64_t to_ns) const {
  WindowStats w(options_.history);
  w.from_ns = from_ns;
  w.to_ns = to_ns;
  Tier tier = TierFor(from_ns);
  w.resolution_ns = tier == Tier::kFine ? options_.history.bucket_width_ns : options_.history.coarse_width_ns;
  uint32_t s = names_->Find(service), o = names_->Find(operation);
  if (s == kNoName || o == kNoName) return w;
  for (uint8_t k = 0; k <= kMaxSpanKind; ++k) {
    if (kind && static_cast<uint8_t>(*kind) != k) continue;
    auto it = operations_.find(OperationKey(s, o, static_cast<model::SpanKind>(k)));
    if (it != operations_.end()) w.buckets += it->second.history.Sum(tier, from_ns, to_ns, &w.cell);
  }
  return w;
}

std::vector<std::pair<std::string, model::SpanKind>> ServiceGraph::OperationsOf(std::string_view service) const {
  std::vector<std::pair<std::string, model::SpanKind>> out;
  const uint32_t s = names_->Find(service);
  if (s == kNoName) return out;
  for (const auto& [key, op] : operations_) {
    if (static_cast<uint32_t>(key >> 32) != s) continue;
    out.emplace_back(std::string(Name(static_cast<uint32_t>(key >> 3) & 0x1fffffff)),
                     static_cast<model::SpanKind>(key & 7));
  }
  std::sort(out.begin(), out.end());  // hash order is not an order
  return out;
}

WindowStats ServiceGraph::EdgeWindow(std::string_view from, std::string_view to,
                                     std::optional<std::string_view> operation, uint64_t from_ns,
                                     uint64_t to_ns) const {
  WindowStats w(options_.history);
  w.from_ns = from_ns;
  w.to_ns = to_ns;
  Tier tier = TierFor(from_ns);
  w.resolution_ns = tier == Tier::kFine ? options_.history.bucket_width_ns : options_.history.coarse_width_ns;
  uint32_t f = names_->Find(from), t = names_->Find(to);
  uint32_t o = operation ? names_->Find(*operation) : kNoName;
  if (f == kNoName || t == kNoName || (operation && o == kNoName)) return w;
  // Edges are few; matching them all keeps the sum in one fixed order
  // (sorted by target kind and operation name), so it is reproducible.
  std::vector<std::tuple<uint8_t, std::string_view, const Edge*>> matched;
  for (const auto& [key, edge] : edges_) {
    if (key.first != ((static_cast<uint64_t>(f) << 32) | t)) continue;
    uint32_t op = static_cast<uint32_t>(key.second >> 3);
    if (operation && op != o) continue;
    matched.emplace_back(static_cast<uint8_t>(key.second & 7), Name(op), &edge);
  }
  std::sort(matched.begin(), matched.end());
  for (const auto& m : matched) w.buckets += std::get<2>(m)->history.Sum(tier, from_ns, to_ns, &w.cell);
  return w;
}

Topology ServiceGraph::Snapshot(uint64_t from_ns, uint64_t to_ns) const {
  Topology t;
  t.from_ns = from_ns;
  t.to_ns = to_ns;
  t.watermark_ns = watermark_;
  Tier tier = TierFor(from_ns);
  t.resolution_ns = tier == Tier::kFine ? options_.history.bucket_width_ns : options_.history.coarse_width_ns;

  std::map<std::pair<std::string_view, NodeKind>, NodeSummary> nodes;
  auto node = [&](std::string_view name, NodeKind kind) -> NodeSummary& {
    auto [it, added] = nodes.try_emplace({name, kind});
    if (added) {
      it->second.name = std::string(name);
      it->second.kind = kind;
    }
    return it->second;
  };
  for (const auto& [key, op] : operations_) {
    Cell sum(options_.history);
    op.history.Sum(tier, from_ns, to_ns, &sum);
    if (sum.count == 0) continue;
    NodeSummary& n = node(Name(Hi(key)), NodeKind::kService);
    n.traced = true;
    OperationSummary& o = n.operations.emplace_back();
    o.name = Name(static_cast<uint32_t>((key >> 3) & 0x1FFFFFFF));
    o.kind = static_cast<model::SpanKind>(key & 7);
    o.count = sum.count;
    o.errors = sum.errors;
    o.error_origins = sum.error_origins;
    o.self_ms = Summarize(sum.a);
    o.downstream_ms = Summarize(sum.b);
    if (o.kind == model::SpanKind::kServer || o.kind == model::SpanKind::kConsumer) {
      n.requests += sum.count;
      n.errors += sum.errors;
    }
  }
  for (const auto& [key, edge] : edges_) {
    Cell sum(options_.history);
    edge.history.Sum(tier, from_ns, to_ns, &sum);
    if (sum.count == 0) continue;
    EdgeSummary& e = t.edges.emplace_back();
    e.from = Name(Hi(key.first));
    e.to = Name(Lo(key.first));
    e.to_kind = static_cast<NodeKind>(key.second & 7);
    e.operation = Name(static_cast<uint32_t>(key.second >> 3));
    e.calls = sum.count;
    e.errors = sum.errors;
    e.latency_ms = Summarize(sum.a);
    e.total_calls = edge.total_calls;
    e.total_errors = edge.total_errors;
    e.total_latency_ms = Summarize(edge.total_ms);
    node(Name(Hi(key.first)), NodeKind::kService);  // views into the name table: they stay valid
    node(Name(Lo(key.first)), e.to_kind);
  }
  for (auto& [key, n] : nodes) {
    std::sort(n.operations.begin(), n.operations.end(), [](const OperationSummary& a, const OperationSummary& b) {
      return std::tie(a.name, a.kind) < std::tie(b.name, b.kind);
    });
    t.nodes.push_back(std::move(n));
  }
  std::sort(t.edges.begin(), t.edges.end(), [](const EdgeSummary& a, const EdgeSummary& b) {
    return std::tie(a.from, a.to, a.to_kind, a.operation) < std::tie(b.from, b.to, b.to_kind, b.operation);
  });
  return t;
}

void ServiceGraph::Save(StateWriter* w) const {
  w->Varint(watermark_);
  w->Varint(closed_before_);
  w->Varint(fine_from_);

  std::vector<std::tuple<std::string_view, std::string_view, uint8_t, const Operation*>> ops;
  for (const auto& [key, op] : operations_) {
    ops.emplace_back(Name(Hi(key)), Name(static_cast<uint32_t>((key >> 3) & 0x1FFFFFFF)), static_cast<uint8_t>(key & 7),
                     &op);
  }
  std::sort(ops.begin(), ops.end());
  w->Varint(ops.size());
  for (const auto& [service, operation, kind, op] : ops) {
    w->String(service);
    w->String(operation);
    w->Varint(kind);
    op->history.Save(w);
  }

  std::vector<std::tuple<std::string_view, std::string_view, uint8_t, std::string_view, const Edge*>> edges;
  for (const auto& [key, edge] : edges_) {
    edges.emplace_back(Name(Hi(key.first)), Name(Lo(key.first)), static_cast<uint8_t>(key.second & 7),
                       Name(static_cast<uint32_t>(key.second >> 3)), &edge);
  }
  std::sort(edges.begin(), edges.end());
  w->Varint(edges.size());
  for (const auto& [from, to, kind, operation, edge] : edges) {
    w->String(from);
    w->String(to);
    w->Varint(kind);
    w->String(operation);
    w->Varint(edge->total_calls);
    w->Varint(edge->total_errors);
    w->String(edge->total_ms.Serialize());
    edge->history.Save(w);
  }
}

Status ServiceGraph::Load(StateReader* r) {
  auto bad = [](const char* what) { return Status::InvalidArgument(std::string("topology state: ") + what); };
  uint64_t watermark = 0, closed_before = 0, fine_from = 0, n = 0;
  if (!r->Varint(&watermark) || !r->Varint(&closed_before) || !r->Varint(&fine_from)) return bad("truncated header");

  // Parse everything before touching the graph (or the name table).
  struct LoadedOp {
    std::string_view service, operation;
    uint8_t kind;
    Operation op;
  };
  std::vector<LoadedOp> ops;
  if (!r->Varint(&n)) return bad("truncated operations");
  for (uint64_t i = 0; i < n; ++i) {
    LoadedOp o;
    uint64_t kind = 0;
    if (!r->String(&o.service) || !r->String(&o.operation) || !r->Varint(&kind)) return bad("truncated operation");
    if (kind > kMaxSpanKind) return bad("span kind out of range");
    o.kind = static_cast<uint8_t>(kind);
    if (!o.op.history.Load(r, options_.history)) return bad("malformed operation history");
    ops.push_back(std::move(o));
  }
  struct LoadedEdge {
    std::string_view from, to, operation;
    uint8_t kind;
    Edge edge;
  };
  std::vector<LoadedEdge> edges;
  if (!r->Varint(&n)) return bad("truncated edges");
  for (uint64_t i = 0; i < n; ++i) {
    LoadedEdge e;
    uint64_t kind = 0;
    std::string_view total;
    if (!r->String(&e.from) || !r->String(&e.to) || !r->Varint(&kind) || !r->String(&e.operation) ||
        !r->Varint(&e.edge.total_calls) || !r->Varint(&e.edge.total_errors) || !r->String(&total)) {
      return bad("truncated edge");
    }
    if (kind >= kNodeKindCount) return bad("node kind out of range");
    e.kind = static_cast<uint8_t>(kind);
    if (!e.edge.total_ms.Deserialize(total).ok() ||
        e.edge.total_ms.relative_accuracy() != options_.history.relative_accuracy) {
      return bad("malformed edge sketch");
    }
    if (!e.edge.history.Load(r, options_.history)) return bad("malformed edge history");
    edges.push_back(std::move(e));
  }
  if (!r->done()) return bad("trailing bytes");

  operations_.clear();
  edges_.clear();
  pending_operations_.clear();
  pending_edges_.clear();
  watermark_ = watermark;
  closed_before_ = closed_before;
  fine_from_ = fine_from;
  for (LoadedOp& o : ops) {
    if (operations_.size() >= options_.max_operations) {
      ++stats_.operation_overflow;
      continue;
    }
    uint64_t key =
        OperationKey(names_->Intern(o.service), names_->Intern(o.operation), static_cast<model::SpanKind>(o.kind));
    operations_.insert_or_assign(key, std::move(o.op));
  }
  for (LoadedEdge& e : edges) {
    if (edges_.size() >= options_.max_edges) {
      ++stats_.edge_overflow;
      continue;
    }
    EdgeKey key{(static_cast<uint64_t>(names_->Intern(e.from)) << 32) | names_->Intern(e.to),
                (static_cast<uint64_t>(names_->Intern(e.operation)) << 3) | e.kind};
    edges_.insert_or_assign(key, std::move(e.edge));
  }
  return Status::OK();
}

size_t ServiceGraph::ApproxHistoryBytes() const {
  size_t bytes = 0;
  for (const auto& [key, op] : operations_) bytes += op.history.ApproxBytes();
  for (const auto& [key, edge] : edges_) bytes += edge.history.ApproxBytes();
  return bytes;
}

GraphStats ServiceGraph::stats() const {
  GraphStats s = stats_;
  s.operations = operations_.size();
  s.edges = edges_.size();
  return s;
}

}  // namespace augur::topology
