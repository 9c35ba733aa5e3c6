#include "topology/topology_builder.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "model/peer_attributes.h"
#include "model/span_outcome.h"
#include "topology/state_codec.h"

namespace augur::topology {

namespace {

constexpr char kMagic[3] = {'a', 't', 'g'};
constexpr uint8_t kStateVersion = 1;
constexpr size_t kMaxNamesCap = size_t{1} << 28;  // ServiceGraph packs operation ids into 29 bits

uint64_t IdNumber(const model::SpanId& id) {
  uint64_t v;
  std::memcpy(&v, id.data(), sizeof v);
  return v;
}

// Appends "<a>" or "<a><sep><b>" to *out.
void Join(std::string* out, std::string_view a, char sep, std::string_view b) {
  out->append(a);
  if (!b.empty()) {
    out->push_back(sep);
    out->append(b);
  }
}

bool Messaging(const model::PeerAttributes& p, std::string* out) {
  std::string_view v = model::StringValue(p.messaging_system);
  if (v.empty()) return false;
  Join(out, v, '/', model::StringValue(p.messaging_destination_name));
  return true;
}

}  // namespace

TopologyBuilder::TopologyBuilder(TopologyOptions options)
    : options_(options),
      names_(std::min(options.max_names, kMaxNamesCap)),
      graph_(GraphOptions{options.history, options.assembler.quiet_ns + options.trace_hold_ns, options.max_operations,
                          options.max_edges, options.max_pending_points, options.closed_points},
             &names_),
      sink_(this),
      assembler_(options.assembler, &sink_) {}

uint32_t TopologyBuilder::ServiceOf(const model::Batch& batch, uint32_t resource_index) {
  if (resource_index >= batch.resources.size()) {
    if (unknown_service_ == kNoName) unknown_service_ = names_.Intern("unknown_service");
    return unknown_service_;
  }
  // Interned on first use, not per batch: ids then depend on the spans
  // alone, whatever resources a batch happens to carry.
  uint32_t& id = batch_services_[resource_index];
  if (id == kNoName) id = names_.Intern(batch.resources[resource_index].service_name);
  return id;
}

void TopologyBuilder::SetDependency(const model::Attributes& a, SpanRecord* r) {
  using model::StringValue;
  peer_.clear();
  const model::PeerAttributes p = model::ReadPeerAttributes(a);
  NodeKind kind = NodeKind::kExternal;
  std::string_view v;
  if (r->kind == model::SpanKind::kProducer && Messaging(p, &peer_)) {
    kind = NodeKind::kMessaging;
  } else if (!(v = StringValue(p.peer_service)).empty()) {
    kind = NodeKind::kService;
    peer_.append(v);
  } else if (!(v = StringValue(p.db_system)).empty()) {
    kind = NodeKind::kDatabase;
    std::string_view ns = StringValue(p.db_namespace);
    if (ns.empty()) ns = StringValue(p.db_name);
    Join(&peer_, v, '/', ns);
  } else if (!(v = StringValue(p.rpc_service)).empty()) {
    kind = NodeKind::kRpc;
    std::string_view sys = StringValue(p.rpc_system);
    if (sys.empty()) {
      peer_.append(v);
    } else {
      Join(&peer_, sys, '/', v);
    }
  } else if (!(v = StringValue(p.server_address)).empty()) {
    peer_.append(v);
    if (const model::AnyValue* port = p.server_port) {
      if (const auto* i = std::get_if<int64_t>(&port->value)) {
        peer_.push_back(':');
        peer_.append(std::to_string(*i));
      } else if (const auto* s = std::get_if<std::string>(&port->value); s != nullptr && !s->empty()) {
        peer_.push_back(':');
        peer_.append(*s);
      }
    }
  } else if (!(v = StringValue(p.net_peer_name)).empty()) {
    peer_.append(v);
  } else if (Messaging(p, &peer_)) {
    kind = NodeKind::kMessaging;
  } else {
    return;
  }
  r->peer = names_.Intern(peer_);
  r->peer_kind = kind;
}

void TopologyBuilder::Add(const model::Batch& batch) {
  batch_services_.assign(batch.resources.size(), kNoName);
  for (const model::Span& span : batch.spans) {
    if (model::IsZero(span.trace_id) || span.start_time_unix_nano == 0 || span.end_time_unix_nano == 0 ||
        span.end_time_unix_nano < span.start_time_unix_nano) {
      ++stats_.bad_spans;
      continue;
    }
    SpanRecord r;
    r.span_id = IdNumber(span.span_id);
    r.parent_id = IdNumber(span.parent_span_id);
    r.start_ns = span.start_time_unix_nano;
    r.end_ns = span.end_time_unix_nano;
    r.service = ServiceOf(batch, span.resource_index);
    r.operation = names_.Intern(span.name);
    r.kind = static_cast<uint8_t>(span.kind) <= static_cast<uint8_t>(model::SpanKind::kConsumer)
                 ? span.kind
                 : model::SpanKind::kUnspecified;
    if (model::IsFailedSpan(span)) r.flags |= kSpanError;
    if (IsCaller(r.kind)) SetDependency(span.attributes, &r);
    assembler_.Add(span.trace_id, r);
  }
}

void TopologyBuilder::AdvanceTo(uint64_t time_ns) {
  assembler_.AdvanceTo(time_ns);
}

void TopologyBuilder::Flush() {
  assembler_.Flush();
}

void TopologyBuilder::RecordCalls() {
  for (const Call& c : calls_) {
    graph_.RecordCall(c);
    LinkKey key{c.from, c.entry_operation, c.operation, c.to, c.callee_operation, c.to_kind};
    if (!links_.contains(key)) {
      if (links_.size() < options_.max_links) {
        links_.insert(key);
      } else {
        ++stats_.link_overflow;
      }
    }
    if (c.to_kind == NodeKind::kService && c.caller_peer != kNoName && peer_services_.size() < options_.max_links) {
      peer_services_[{c.from, c.caller_peer}] = c.to;  // the latest answer wins
    }
  }
  calls_.clear();
}

OperationLink TopologyBuilder::Describe(const LinkKey& k) const {
  auto name = [this](uint32_t id) { return id == kNoName ? std::string() : names_.Name(id); };
  return {name(k.caller_service), name(k.caller_operation), name(k.client_operation), name(k.callee),
          k.callee_kind,          name(k.callee_operation)};
}

std::vector<OperationLink> TopologyBuilder::LinksFrom(std::string_view service, std::string_view operation) const {
  std::vector<OperationLink> out;
  const uint32_t s = names_.Find(service), o = names_.Find(operation);
  if (s == kNoName || o == kNoName) return out;
  for (const LinkKey& k : links_) {
    if (k.caller_service == s && (k.caller_operation == o || k.client_operation == o)) out.push_back(Describe(k));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.caller_operation, a.client_operation, a.callee, a.callee_operation) <
           std::tie(b.caller_operation, b.client_operation, b.callee, b.callee_operation);
  });
  return out;
}

std::vector<OperationLink> TopologyBuilder::LinksTo(std::string_view service, std::string_view operation) const {
  std::vector<OperationLink> out;
  const uint32_t s = names_.Find(service);
  const uint32_t o = operation.empty() ? kNoName : names_.Find(operation);
  if (s == kNoName || (!operation.empty() && o == kNoName)) return out;
  for (const LinkKey& k : links_) {
    if (k.callee == s && k.callee_operation == o) out.push_back(Describe(k));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.caller_service, a.caller_operation, a.client_operation) <
           std::tie(b.caller_service, b.caller_operation, b.client_operation);
  });
  return out;
}

std::string TopologyBuilder::ServiceBehindPeer(std::string_view service, std::string_view peer) const {
  const uint32_t s = names_.Find(service), p = names_.Find(peer);
  if (s == kNoName || p == kNoName) return {};
  auto it = peer_services_.find({s, p});
  return it == peer_services_.end() ? std::string() : names_.Name(it->second);
}

void TopologyBuilder::Sink::OnTrace(std::vector<SpanRecord>& spans) {
  SpanTree& tree = b_->tree_;
  tree.Index(spans);
  for (size_t i = 0; i < spans.size(); ++i) {
    if (tree.duplicate(spans, i)) {
      ++b_->stats_.duplicate_spans;
      continue;
    }
    if (spans[i].parent_id != 0 && tree.parent(i) == SpanTree::kNone) ++b_->stats_.orphan_spans;
    b_->graph_.RecordSpan(spans[i], tree.Cost(spans, i));
  }
  b_->stats_.unattributed_calls += tree.CollectCalls(spans, &b_->calls_);
  b_->RecordCalls();
}

void TopologyBuilder::Sink::OnLateSpan(std::vector<SpanRecord>& spans) {
  SpanTree& tree = b_->tree_;
  tree.IndexLast(spans);  // the others were indexed as they came
  size_t i = spans.size() - 1;
  if (tree.duplicate(spans, i)) {
    ++b_->stats_.duplicate_spans;
    return;
  }
  // Its own self time, from whichever of its children came before it. The
  // parent's self time was measured without it and stays so (buckets only
  // grow), and so may its error-origin mark.
  b_->graph_.RecordSpan(spans[i], tree.Cost(spans, i));
  b_->stats_.unattributed_calls += tree.CollectCallsOf(spans, i, &b_->calls_);
  b_->RecordCalls();
}

void TopologyBuilder::Sink::OnWatermark(uint64_t watermark) {
  b_->graph_.AdvanceTo(watermark);
}

std::string TopologyBuilder::SaveState() const {
  std::string out(kMagic, sizeof kMagic);
  out.push_back(static_cast<char>(kStateVersion));
  StateWriter w(&out);
  w.Varint(options_.history.bucket_width_ns);
  w.Varint(options_.history.coarse_width_ns);
  w.Double(options_.history.relative_accuracy);
  w.Varint(assembler_.watermark());
  graph_.Save(&w);
  return out;
}

Status TopologyBuilder::LoadState(std::string_view bytes) {
  if (bytes.size() < sizeof kMagic + 1 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return Status::InvalidArgument("topology state: not a topology state");
  }
  uint8_t version = static_cast<uint8_t>(bytes[sizeof kMagic]);
  if (version != kStateVersion) {
    return Status::InvalidArgument("topology state: version " + std::to_string(version) + ", want " +
                                   std::to_string(kStateVersion));
  }
  StateReader r(bytes.substr(sizeof kMagic + 1));
  uint64_t width = 0, coarse = 0, watermark = 0;
  double accuracy = 0;
  if (!r.Varint(&width) || !r.Varint(&coarse) || !r.Double(&accuracy) || !r.Varint(&watermark)) {
    return Status::InvalidArgument("topology state: truncated header");
  }
  if (width != options_.history.bucket_width_ns || coarse != options_.history.coarse_width_ns ||
      accuracy != options_.history.relative_accuracy) {
    return Status::InvalidArgument("topology state: written with other bucket widths or sketch accuracy");
  }
  Status s = graph_.Load(&r);
  if (!s.ok()) return s;
  assembler_.AdvanceTo(watermark);
  return Status::OK();
}

TopologyStats TopologyBuilder::stats() const {
  TopologyStats s = stats_;
  s.traces = assembler_.stats();
  s.graph = graph_.stats();
  s.names = names_.size();
  s.name_overflow = names_.overflow();
  s.links = links_.size();
  return s;
}

}  // namespace augur::topology
