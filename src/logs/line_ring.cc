#include "logs/line_ring.h"

#include <algorithm>
#include <cstring>

namespace augur::logs {
namespace {

template <typename T>
void PutRaw(char* p, size_t* at, T v) {
  std::memcpy(p + *at, &v, sizeof v);
  *at += sizeof v;
}

template <typename T>
T GetRaw(const char* p, size_t* at) {
  T v;
  std::memcpy(&v, p + *at, sizeof v);
  *at += sizeof v;
  return v;
}

}  // namespace

void KeptLine::Save(analysis::StateWriter* w) const {
  w->Put(seq);
  w->Put(time_ns);
  w->Put(template_id);
  for (uint8_t b : trace_id) w->Put(b);
  w->Put(severity);
  w->Put(flags);
  w->Put(http_code);
  w->PutString(severity_text);
  w->PutString(body);
}

void KeptLine::Load(analysis::StateReader* r) {
  seq = r->Get<uint64_t>();
  time_ns = r->Get<uint64_t>();
  template_id = r->Get<uint64_t>();
  for (uint8_t& b : trace_id) b = r->Get<uint8_t>();
  severity = r->Get<uint8_t>();
  flags = r->Get<uint8_t>();
  http_code = r->Get<uint16_t>();
  severity_text = r->GetString();
  body = r->GetString();
}

void LineRing::Push(const LineHeader& h, std::string_view severity_text, std::string_view body) {
  if (capacity_ < 4 * (kHeaderBytes + 16)) return;  // too small to keep anything useful
  const size_t max_text = capacity_ / 4 - kHeaderBytes;
  severity_text = severity_text.substr(0, std::min<size_t>(16, max_text));
  body = body.substr(0, max_text - severity_text.size());
  const size_t n = kHeaderBytes + severity_text.size() + body.size();
  if (!buf_) buf_ = std::make_unique<char[]>(capacity_);

  // Make room for n bytes at tail_.
  for (;;) {
    if (count_ == 0) {
      head_ = tail_ = end_ = 0;
      wrapped_ = false;
      break;
    }
    if (!wrapped_) {
      if (tail_ + n <= capacity_) break;  // room after the newest entry
      end_ = tail_;                       // start a new lap at 0
      tail_ = 0;
      wrapped_ = true;
    }
    if (tail_ + n <= head_) break;  // room between the newest and the oldest
    EvictOldest();
  }

  char* p = buf_.get();
  size_t at = tail_;
  PutRaw(p, &at, h.seq);
  PutRaw(p, &at, h.time_ns);
  PutRaw(p, &at, h.template_id);
  std::memcpy(p + at, h.trace_id.data(), h.trace_id.size());
  at += h.trace_id.size();
  PutRaw(p, &at, h.severity);
  PutRaw(p, &at, h.flags);
  PutRaw(p, &at, h.http_code);
  PutRaw(p, &at, static_cast<uint16_t>(severity_text.size()));
  PutRaw(p, &at, static_cast<uint32_t>(body.size()));
  // An empty view may have a null data(); memcpy must never see one.
  if (!severity_text.empty()) std::memcpy(p + at, severity_text.data(), severity_text.size());
  at += severity_text.size();
  if (!body.empty()) std::memcpy(p + at, body.data(), body.size());
  at += body.size();
  tail_ = at;
  ++count_;
}

void LineRing::EvictOldest() {
  LineView v;
  head_ += Read(head_, &v);
  --count_;
  if (wrapped_ && head_ >= end_) {  // the older lap is gone
    head_ = 0;
    wrapped_ = false;
  }
}

size_t LineRing::Read(size_t at, LineView* v) const {
  const char* p = buf_.get();
  const size_t start = at;
  v->seq = GetRaw<uint64_t>(p, &at);
  v->time_ns = GetRaw<uint64_t>(p, &at);
  v->template_id = GetRaw<uint64_t>(p, &at);
  std::memcpy(v->trace_id.data(), p + at, v->trace_id.size());
  at += v->trace_id.size();
  v->severity = GetRaw<uint8_t>(p, &at);
  v->flags = GetRaw<uint8_t>(p, &at);
  v->http_code = GetRaw<uint16_t>(p, &at);
  const uint16_t sev_len = GetRaw<uint16_t>(p, &at);
  const uint32_t body_len = GetRaw<uint32_t>(p, &at);
  v->severity_text = std::string_view(p + at, sev_len);
  at += sev_len;
  v->body = std::string_view(p + at, body_len);
  at += body_len;
  return at - start;
}

void LineRing::Save(analysis::StateWriter* w) const {
  w->Put(static_cast<uint32_t>(count_));
  ForEach([&](const LineView& v) { KeptLine(v).Save(w); });
}

void LineRing::Load(analysis::StateReader* r) {
  buf_.reset();
  head_ = tail_ = end_ = count_ = 0;
  wrapped_ = false;
  const size_t n = r->ReadCount(8 * 3 + 16 + 4 + 8);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    KeptLine line;
    line.Load(r);
    if (!r->failed()) Push(line, line.severity_text, line.body);
  }
}

}  // namespace augur::logs
