#include "engine/span_exemplars.h"

#include <algorithm>

#include "analysis/state_codec.h"
#include "model/span_outcome.h"

namespace augur::engine {

namespace {

constexpr std::string_view kMagic = "augur.exemplars";
constexpr uint32_t kVersion = 1;

void PutExemplars(analysis::StateWriter* w, const std::vector<Exemplar>& v) {
  w->Put(static_cast<uint32_t>(v.size()));
  for (const Exemplar& e : v) {
    for (uint8_t b : e.trace_id) w->Put(b);
    w->Put(e.end_ns);
    w->Put(e.duration_ns);
  }
}

void GetExemplars(analysis::StateReader* r, size_t max, std::vector<Exemplar>* v) {
  const size_t n = r->ReadCount(32);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    Exemplar e;
    for (uint8_t& b : e.trace_id) b = r->Get<uint8_t>();
    e.end_ns = r->Get<uint64_t>();
    e.duration_ns = r->Get<uint64_t>();
    if (v->size() < max) v->push_back(e);  // cut to the current options
  }
}

}  // namespace

SpanExemplars::SpanExemplars(ExemplarOptions options) : options_(options) {
  options_.slice_ns = std::max<uint64_t>(options_.slice_ns, 1);
  options_.slices_per_operation = std::max<size_t>(options_.slices_per_operation, 1);
}

SpanExemplars::Operation* SpanExemplars::Lookup(std::string_view service, std::string_view operation) {
  key_scratch_.assign(service);
  key_scratch_.push_back('\0');
  key_scratch_.append(operation);
  if (auto it = ops_.find(key_scratch_); it != ops_.end()) return &it->second;
  if (ops_.size() >= options_.max_operations) DropIdle();
  if (ops_.size() >= options_.max_operations) {
    ++stats_.operations_overflow;
    return nullptr;
  }
  return &ops_[key_scratch_];
}

void SpanExemplars::DropIdle() {
  // Idle: nothing for longer than a full ring spans, so Find would return
  // nothing of it for a window near the present.
  const uint64_t horizon = options_.slice_ns * options_.slices_per_operation;
  if (watermark_ < horizon) return;
  const uint64_t before = watermark_ - horizon;
  for (auto it = ops_.begin(); it != ops_.end();) {
    if (it->second.last_ns < before) {
      it = ops_.erase(it);
      ++stats_.operations_dropped;
    } else {
      ++it;
    }
  }
}

SpanExemplars::Slice* SpanExemplars::SliceFor(Operation& op, uint64_t index) {
  auto& slices = op.slices;
  if (slices.empty() || slices.back().index < index) {
    slices.push_back(Slice{index, {}, {}});
    if (slices.size() > options_.slices_per_operation) slices.pop_front();
    return &slices.back();
  }
  // A late span: its slice, or a slot for it among the kept ones.
  auto it =
      std::lower_bound(slices.begin(), slices.end(), index, [](const Slice& s, uint64_t i) { return s.index < i; });
  if (it != slices.end() && it->index == index) return &*it;
  if (slices.size() >= options_.slices_per_operation) {
    if (it == slices.begin()) return nullptr;  // older than everything kept
    slices.pop_front();
    it = std::lower_bound(slices.begin(), slices.end(), index, [](const Slice& s, uint64_t i) { return s.index < i; });
  }
  return &*slices.insert(it, Slice{index, {}, {}});
}

void SpanExemplars::Keep(Slice& slice, const Exemplar& e, bool failed) {
  if (failed) {
    if (slice.failing.size() < options_.failing_per_slice) slice.failing.push_back(e);
  }
  if (options_.slow_per_slice == 0) return;
  auto& slow = slice.slow;
  if (slow.size() >= options_.slow_per_slice && slow.back().duration_ns >= e.duration_ns) return;
  // Slowest first; equal durations keep the earlier arrival first.
  auto at = std::upper_bound(slow.begin(), slow.end(), e.duration_ns,
                             [](uint64_t d, const Exemplar& x) { return d > x.duration_ns; });
  slow.insert(at, e);
  if (slow.size() > options_.slow_per_slice) slow.pop_back();
}

void SpanExemplars::Add(const model::Batch& batch) {
  for (const model::Span& span : batch.spans) {
    const uint64_t end = span.end_time_unix_nano;
    if (model::IsZero(span.trace_id) || end == 0 || span.start_time_unix_nano == 0 || end < span.start_time_unix_nano) {
      ++stats_.skipped;
      continue;
    }
    ++stats_.spans;
    watermark_ = std::max(watermark_, end);
    const std::string& service = batch.ServiceOf(span.resource_index);
    Operation* op = Lookup(service, span.name);
    if (op == nullptr) continue;
    op->last_ns = std::max(op->last_ns, end);
    Slice* slice = SliceFor(*op, end / options_.slice_ns);
    if (slice == nullptr) {
      ++stats_.late;
      continue;
    }
    Keep(*slice, Exemplar{span.trace_id, end, end - span.start_time_unix_nano}, model::IsFailedSpan(span));
  }
}

std::vector<Exemplar> SpanExemplars::Find(const ExemplarQuery& q) const {
  std::vector<Exemplar> out;
  std::string key = q.service;
  key.push_back('\0');
  key.append(q.operation);
  auto it = ops_.find(key);
  if (it == ops_.end() || q.max == 0) return out;
  const uint64_t to = q.to_ns == 0 ? UINT64_MAX : q.to_ns;
  const auto& slices = it->second.slices;
  for (auto s = slices.rbegin(); s != slices.rend() && out.size() < q.max; ++s) {
    // Slices wholly outside the window hold nothing for it.
    if (s->index * options_.slice_ns > to) continue;
    if ((s->index + 1) * options_.slice_ns <= q.from_ns) break;
    for (const Exemplar& e : q.failing ? s->failing : s->slow) {
      if (out.size() >= q.max) break;
      if (e.end_ns < q.from_ns || e.end_ns > to) continue;
      if (!q.failing && e.duration_ns <= q.min_duration_ns) continue;
      const bool dup = std::any_of(out.begin(), out.end(), [&](const Exemplar& x) { return x.trace_id == e.trace_id; });
      if (!dup) out.push_back(e);
    }
  }
  return out;
}

std::string SpanExemplars::SaveState() const {
  std::string out;
  analysis::StateWriter w(&out);
  w.PutString(kMagic);
  w.Put(kVersion);
  w.Put(watermark_);
  for (uint64_t v :
       {stats_.spans, stats_.skipped, stats_.operations_dropped, stats_.operations_overflow, stats_.late}) {
    w.Put(v);
  }
  // In key order, so equal states give equal bytes.
  std::vector<const std::pair<const std::string, Operation>*> ops;
  ops.reserve(ops_.size());
  for (const auto& e : ops_) ops.push_back(&e);
  std::sort(ops.begin(), ops.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  w.Put(static_cast<uint32_t>(ops.size()));
  for (const auto* e : ops) {
    w.PutString(e->first);
    w.Put(e->second.last_ns);
    w.Put(static_cast<uint32_t>(e->second.slices.size()));
    for (const Slice& s : e->second.slices) {
      w.Put(s.index);
      PutExemplars(&w, s.slow);
      PutExemplars(&w, s.failing);
    }
  }
  return out;
}

Status SpanExemplars::LoadState(std::string_view bytes) {
  analysis::StateReader r(bytes);
  if (r.GetString() != kMagic || r.Get<uint32_t>() != kVersion) {
    return Status::InvalidArgument("not a span exemplar state (augur.exemplars, version 1)");
  }
  SpanExemplars fresh(options_);
  fresh.watermark_ = r.Get<uint64_t>();
  for (uint64_t* v : {&fresh.stats_.spans, &fresh.stats_.skipped, &fresh.stats_.operations_dropped,
                      &fresh.stats_.operations_overflow, &fresh.stats_.late}) {
    *v = r.Get<uint64_t>();
  }
  const size_t n = r.ReadCount(16);
  for (size_t i = 0; i < n && !r.failed(); ++i) {
    std::string key = r.GetString();
    Operation op;
    op.last_ns = r.Get<uint64_t>();
    const size_t slices = r.ReadCount(16);
    for (size_t k = 0; k < slices && !r.failed(); ++k) {
      Slice s;
      s.index = r.Get<uint64_t>();
      GetExemplars(&r, options_.slow_per_slice, &s.slow);
      GetExemplars(&r, options_.failing_per_slice, &s.failing);
      if (!op.slices.empty() && op.slices.back().index >= s.index) r.Fail();  // slices are in time order
      op.slices.push_back(std::move(s));
    }
    while (op.slices.size() > options_.slices_per_operation) op.slices.pop_front();
    if (fresh.ops_.size() < options_.max_operations) fresh.ops_.emplace(std::move(key), std::move(op));
  }
  if (Status s = r.Finish("span exemplars"); !s.ok()) return s;
  *this = std::move(fresh);
  return Status::OK();
}

}  // namespace augur::engine
