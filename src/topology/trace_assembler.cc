#include "topology/trace_assembler.h"

#include <algorithm>

namespace augur::topology {

namespace {

// A released slot keeps its vector's capacity for the next trace, unless a
// big trace grew it: then the memory goes back, so the pool stays small.
constexpr size_t kKeptCapacity = 16;  // 768 bytes per free slot

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

}  // namespace

TraceAssembler::TraceAssembler(AssemblerOptions options, TraceSink* sink) : options_(options), sink_(sink) {
  options_.max_open_traces = std::max<size_t>(options_.max_open_traces, 1);
  options_.max_open_spans = std::max<size_t>(options_.max_open_spans, 1);
  options_.max_spans_per_trace = std::max<size_t>(options_.max_spans_per_trace, 1);
}

uint64_t TraceAssembler::Deadline(const Trace& t) const {
  return SaturatingAdd(t.max_end_ns, options_.quiet_ns);
}

uint32_t TraceAssembler::NewSlot() {
  if (!free_slots_.empty()) {
    uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.emplace_back();
  return static_cast<uint32_t>(slots_.size() - 1);
}

void TraceAssembler::Add(const model::TraceId& trace, const SpanRecord& span) {
  ++stats_.spans;
  uint32_t found = index_.Find(trace);
  if (found != TraceIdMap::kAbsent && slots_[found].open && stats_.open_spans >= options_.max_open_spans) {
    // Room for one more span: the trace due first goes (perhaps this one,
    // whose span then arrives late).
    if (CompleteFirst()) ++stats_.traces_forced;
    found = index_.Find(trace);
  }
  if (found != TraceIdMap::kAbsent) {
    Trace& t = slots_[found];
    if (t.open) {
      if (t.spans.size() >= options_.max_spans_per_trace) {
        ++stats_.spans_overflow;
      } else {
        t.spans.push_back(span);
        t.max_end_ns = std::max(t.max_end_ns, span.end_ns);
        ++stats_.open_spans;
      }
    } else {
      ++stats_.late_spans;
      if (t.spans.size() >= options_.max_spans_per_trace || stats_.recent_spans >= options_.max_recent_spans) {
        ++stats_.spans_overflow;
      } else {
        t.spans.push_back(span);
        ++stats_.recent_spans;
        sink_->OnLateSpan(t.spans);
      }
    }
  } else {
    while (stats_.open_traces >= options_.max_open_traces || stats_.open_spans >= options_.max_open_spans) {
      if (!CompleteFirst()) break;
      ++stats_.traces_forced;
    }
    uint32_t slot = NewSlot();
    Trace& t = slots_[slot];
    t.id = trace;
    t.open = true;
    t.spans.push_back(span);
    t.max_end_ns = span.end_ns;
    index_.Insert(trace, slot);
    due_.push({Deadline(t), slot, t.generation});
    ++stats_.open_traces;
    ++stats_.open_spans;
  }
  Move(span.end_ns > options_.allowed_lateness_ns ? span.end_ns - options_.allowed_lateness_ns : 0);
}

void TraceAssembler::AdvanceTo(uint64_t time_ns) {
  Move(time_ns);
}

void TraceAssembler::Move(uint64_t time_ns) {
  bool moved = time_ns > watermark_;
  if (moved) watermark_ = time_ns;
  // Also when it did not move: a new trace may be due already (its spans
  // ended long before the watermark).
  CompleteDue();
  if (moved) {
    ExpireRecent();
    sink_->OnWatermark(watermark_);
  }
}

void TraceAssembler::CompleteDue() {
  while (!due_.empty() && due_.top().time_ns <= watermark_) {
    Due d = due_.top();
    due_.pop();
    Trace& t = slots_[d.slot];
    if (!t.open || t.generation != d.generation) continue;
    uint64_t deadline = Deadline(t);
    if (deadline > watermark_) {
      due_.push({deadline, d.slot, d.generation});  // spans arrived since it was queued
      continue;
    }
    Complete(d.slot);
  }
}

bool TraceAssembler::CompleteFirst() {
  while (!due_.empty()) {
    Due d = due_.top();
    due_.pop();
    Trace& t = slots_[d.slot];
    if (!t.open || t.generation != d.generation) continue;
    Complete(d.slot);
    return true;
  }
  return false;
}

void TraceAssembler::Flush() {
  while (CompleteFirst()) {
  }
}

void TraceAssembler::Complete(uint32_t slot) {
  Trace& t = slots_[slot];
  t.open = false;
  t.completed_ns = watermark_;
  --stats_.open_traces;
  stats_.open_spans -= t.spans.size();
  ++stats_.traces_completed;
  sink_->OnTrace(t.spans);
  recent_.emplace_back(slot, t.generation);
  ++stats_.recent_traces;
  stats_.recent_spans += t.spans.size();
  while (!recent_.empty() &&
         (stats_.recent_traces > options_.max_recent_traces || stats_.recent_spans > options_.max_recent_spans)) {
    Release(recent_.front().first);
    recent_.pop_front();
  }
}

void TraceAssembler::ExpireRecent() {
  while (!recent_.empty()) {
    const Trace& t = slots_[recent_.front().first];
    if (SaturatingAdd(t.completed_ns, options_.recent_ns) > watermark_) break;
    Release(recent_.front().first);
    recent_.pop_front();
  }
}

void TraceAssembler::Release(uint32_t slot) {
  Trace& t = slots_[slot];
  index_.Erase(t.id);
  --stats_.recent_traces;
  stats_.recent_spans -= t.spans.size();
  t.spans.clear();
  if (t.spans.capacity() > kKeptCapacity) t.spans.shrink_to_fit();
  ++t.generation;
  free_slots_.push_back(slot);
}

AssemblerStats TraceAssembler::stats() const {
  return stats_;
}

}  // namespace augur::topology
