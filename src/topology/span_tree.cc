#include "topology/span_tree.h"

#include <algorithm>

namespace augur::topology {
namespace {

// How far EntryOperation climbs a service's own spans to find the one
// that entered it: a deeper chain (no trace of a real service has one)
// names the operation of the span this many levels up.
constexpr size_t kMaxClimb = 256;

}  // namespace

void SpanTree::Index(std::vector<SpanRecord>& spans) {
  const size_t n = spans.size();
  ids_.clear();
  for (size_t i = 0; i < n; ++i) {
    spans[i].flags &= static_cast<uint8_t>(~kSpanDuplicate);
    if (spans[i].span_id != 0) ids_.emplace_back(spans[i].span_id, static_cast<uint32_t>(i));
  }
  std::sort(ids_.begin(), ids_.end());
  for (size_t k = 1; k < ids_.size(); ++k) {
    if (ids_[k].first == ids_[k - 1].first) spans[ids_[k].second].flags |= kSpanDuplicate;
  }

  parent_.assign(n, kNone);
  child_begin_.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const SpanRecord& s = spans[i];
    if (s.parent_id == 0 || (s.flags & kSpanDuplicate)) continue;
    // The first copy of the parent id (lowest index): duplicates sort after it.
    auto it = std::lower_bound(ids_.begin(), ids_.end(), std::pair<uint64_t, uint32_t>(s.parent_id, 0));
    if (it == ids_.end() || it->first != s.parent_id || it->second == i) continue;
    parent_[i] = it->second;
    ++child_begin_[it->second + 1];
  }
  for (size_t i = 0; i < n; ++i) child_begin_[i + 1] += child_begin_[i];
  children_.resize(child_begin_[n]);
  // Fill in index order, so each span's children are listed in arrival order.
  parent_cursor_.assign(child_begin_.begin(), child_begin_.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    if (parent_[i] != kNone) children_[parent_cursor_[parent_[i]]++] = static_cast<uint32_t>(i);
  }
}

uint32_t SpanTree::FindParent(const std::vector<SpanRecord>& spans, uint32_t i) {
  const uint64_t id = spans[i].parent_id;
  if (id == 0) return kNone;
  for (size_t j = 0; j < spans.size(); ++j) {
    if (spans[j].span_id == id) return j == i ? kNone : static_cast<uint32_t>(j);
  }
  return kNone;
}

void SpanTree::IndexLast(std::vector<SpanRecord>& spans) {
  const size_t n = spans.size();
  parent_.assign(n, kNone);
  child_begin_.assign(n + 1, 0);
  children_.clear();
  if (n == 0) return;
  const uint32_t last = static_cast<uint32_t>(n - 1);
  SpanRecord& s = spans[last];
  s.flags &= static_cast<uint8_t>(~kSpanDuplicate);
  if (s.span_id != 0) {
    for (size_t j = 0; j < last; ++j) {
      if (spans[j].span_id == s.span_id) {
        // A later copy: Index gives it no parent and no children.
        s.flags |= kSpanDuplicate;
        return;
      }
    }
    // Its children: the earlier spans naming it as parent, but for
    // duplicates (marked when they were indexed). No earlier span has its
    // id, so it is their parent's first copy.
    for (size_t j = 0; j < last; ++j) {
      if (spans[j].parent_id == s.span_id && !(spans[j].flags & kSpanDuplicate)) {
        parent_[j] = last;
        children_.push_back(static_cast<uint32_t>(j));
      }
    }
    child_begin_[n] = static_cast<uint32_t>(children_.size());
  }
  // Its parent, and up from there as far as EntryOperation climbs from it
  // (which covers its climb from the late span too). Each ancestor is the
  // first copy of its id, so not a duplicate. Each step is a scan of the
  // trace, hence EntryOperation's bound on the climb.
  uint32_t j = FindParent(spans, last);
  parent_[last] = j;
  for (size_t steps = 0; j != kNone && steps < kMaxClimb; ++steps) {
    const model::SpanKind k = spans[j].kind;
    if (k == model::SpanKind::kServer || k == model::SpanKind::kConsumer) break;
    const uint32_t p = FindParent(spans, j);
    parent_[j] = p;
    if (p == kNone || spans[p].service != spans[j].service) break;
    j = p;
  }
}

SpanCost SpanTree::Cost(const std::vector<SpanRecord>& spans, size_t i) {
  const SpanRecord& s = spans[i];
  SpanCost cost;
  bool child_error = false;
  intervals_.clear();
  for (uint32_t c : children(i)) {
    const SpanRecord& child = spans[c];
    child_error = child_error || child.error();
    uint64_t lo = std::max(child.start_ns, s.start_ns);
    uint64_t hi = std::min(child.end_ns, s.end_ns);
    if (hi > lo) intervals_.emplace_back(lo, hi);
  }
  if (intervals_.size() > 1) std::sort(intervals_.begin(), intervals_.end());
  uint64_t covered = 0, run_lo = 0, run_hi = 0;
  bool in_run = false;
  for (const auto& [lo, hi] : intervals_) {
    if (in_run && lo <= run_hi) {
      run_hi = std::max(run_hi, hi);
      continue;
    }
    if (in_run) covered += run_hi - run_lo;
    run_lo = lo;
    run_hi = hi;
    in_run = true;
  }
  if (in_run) covered += run_hi - run_lo;
  cost.downstream_ns = covered;
  cost.self_ns = s.duration_ns() - covered;
  cost.error_origin = s.error() && !child_error;
  return cost;
}

void SpanTree::PairCall(std::vector<SpanRecord>& spans, uint32_t p, uint32_t c, std::vector<Call>* out) const {
  SpanRecord& parent = spans[p];
  SpanRecord& child = spans[c];
  if (parent.service == child.service) return;
  if (IsCaller(parent.kind)) {
    if (parent.flags & kSpanCalled) return;
    parent.flags |= kSpanCalled;
    out->push_back({parent.service, child.service, NodeKind::kService, parent.operation, parent.end_ns,
                    parent.duration_ns(), parent.error() || child.error(), EntryOperation(spans, p), child.operation,
                    parent.peer});
  } else {
    if (child.flags & kSpanEntered) return;
    child.flags |= kSpanEntered;
    out->push_back({parent.service, child.service, NodeKind::kService, child.operation, child.end_ns,
                    child.duration_ns(), child.error(), EntryOperation(spans, p), child.operation, kNoName});
  }
}

uint32_t SpanTree::EntryOperation(const std::vector<SpanRecord>& spans, uint32_t i) const {
  const uint32_t service = spans[i].service;
  uint32_t j = i;
  // A bounded climb: parent ids can form a cycle (A's parent is B, B's is
  // A), and a client's spans must not stop the analysis; nor may a chain of
  // thousands of one service's spans cost IndexLast a scan per step.
  for (size_t steps = 0; steps < kMaxClimb; ++steps) {
    const model::SpanKind k = spans[j].kind;
    if (k == model::SpanKind::kServer || k == model::SpanKind::kConsumer) break;
    const uint32_t p = parent_[j];
    if (p == kNone || spans[p].service != service) break;
    j = p;
  }
  return spans[j].operation;
}

size_t SpanTree::DependencyCall(std::vector<SpanRecord>& spans, uint32_t i, std::vector<Call>* out) const {
  SpanRecord& s = spans[i];
  if (!IsCaller(s.kind) || (s.flags & (kSpanCalled | kSpanDuplicate))) return 0;
  // Nested callers of one service: only the innermost one is the call.
  uint32_t p = parent_[i];
  if (p != kNone && spans[p].service == s.service && IsCaller(spans[p].kind) && (spans[p].flags & kSpanCalled)) {
    return 0;
  }
  for (uint32_t c : children(i)) {
    const SpanRecord& child = spans[c];
    if (child.service == s.service && IsCaller(child.kind) && child.peer != kNoName) return 0;
  }
  if (s.peer == kNoName) return 1;
  s.flags |= kSpanCalled;
  out->push_back({s.service, s.peer, s.peer_kind, s.operation, s.end_ns, s.duration_ns(), s.error(),
                  EntryOperation(spans, i), kNoName, s.peer});
  return 0;
}

size_t SpanTree::CollectCalls(std::vector<SpanRecord>& spans, std::vector<Call>* out) const {
  for (size_t i = 0; i < spans.size(); ++i) {
    if (parent_[i] != kNone) PairCall(spans, parent_[i], static_cast<uint32_t>(i), out);
  }
  size_t unattributed = 0;
  for (size_t i = 0; i < spans.size(); ++i) unattributed += DependencyCall(spans, static_cast<uint32_t>(i), out);
  return unattributed;
}

size_t SpanTree::CollectCallsOf(std::vector<SpanRecord>& spans, size_t i, std::vector<Call>* out) const {
  if (spans[i].flags & kSpanDuplicate) return 0;
  uint32_t self = static_cast<uint32_t>(i);
  if (parent_[i] != kNone) PairCall(spans, parent_[i], self, out);
  for (uint32_t c : children(i)) PairCall(spans, self, c, out);
  return DependencyCall(spans, self, out);
}

}  // namespace augur::topology
