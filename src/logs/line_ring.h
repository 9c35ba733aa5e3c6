// LineRing: the last log lines of one service kept for snippets, in one
// circular byte buffer of fixed capacity, oldest overwritten first.
//
// Lines are written one after another (a fixed header, the severity text,
// the body), so keeping a line is one sequential copy into memory the ring
// owns: no allocation and no pointer chasing on the hot path, which matters
// because every record is kept.
//
// LineView is a line as read back (views into the ring, valid until the
// next Push); KeptLine is an owned copy (for an incident's samples).
// Not thread-safe; owned by the LogAnalyzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "analysis/state_codec.h"
#include "model/telemetry.h"

namespace augur::logs {

// What the analyzer noticed on a line (LineView::flags).
enum LineFlag : uint8_t {
  kLineKeyword = 1,   // an error keyword in its template
  kLineHttp4xx = 2,   // a 4xx status code in it
  kLineHttp5xx = 4,   // a 5xx status code in it
  kLineNewField = 8,  // it carried a field name new to its service
  kLineNovel = 16,    // its template was new (after the warm-up) when it came
};

// The fixed part of a kept line.
struct LineHeader {
  uint64_t seq = 0;  // per service, increasing: identity of the line
  uint64_t time_ns = 0;
  uint64_t template_id = 0;  // as assigned; resolve before showing
  model::TraceId trace_id{};
  uint8_t severity = 0;  // effective severity number; 0 unspecified
  uint8_t flags = 0;     // LineFlag bits
  uint16_t http_code = 0;
};

struct LineView : LineHeader {
  std::string_view severity_text;  // the sender's text, kept only when severity is 0
  std::string_view body;
};

struct KeptLine : LineHeader {
  std::string severity_text;
  std::string body;

  KeptLine() = default;
  explicit KeptLine(const LineView& v) : LineHeader(v), severity_text(v.severity_text), body(v.body) {}
  LineView View() const {
    LineView v;
    static_cast<LineHeader&>(v) = *this;
    v.severity_text = severity_text;
    v.body = body;
    return v;
  }
  void Save(analysis::StateWriter* w) const;
  void Load(analysis::StateReader* r);
};

class LineRing {
 public:
  // Bytes a line takes besides its texts.
  static constexpr size_t kHeaderBytes = 8 * 3 + 16 + 1 + 1 + 2 + 2 + 4;  // fields, text lengths

  // Bytes of lines kept (each line costs its texts plus kHeaderBytes); the
  // buffer is allocated at the first Push.
  explicit LineRing(size_t capacity_bytes = 0) : capacity_(capacity_bytes) {}
  LineRing(LineRing&&) = default;
  LineRing& operator=(LineRing&&) = default;

  // Keeps a line, dropping the oldest ones to make room. Texts are cut so
  // that one line never takes more than a quarter of the ring.
  void Push(const LineHeader& header, std::string_view severity_text, std::string_view body);

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  // Oldest first.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (count_ == 0) return;
    size_t at = head_;
    for (size_t i = 0; i < count_; ++i) {
      if (wrapped_ && at >= end_) at = 0;
      LineView v;
      at += Read(at, &v);
      fn(static_cast<const LineView&>(v));
    }
  }

  void Save(analysis::StateWriter* w) const;
  // Keeps the newest lines of the saved ones that fit.
  void Load(analysis::StateReader* r);

 private:
  size_t Read(size_t at, LineView* v) const;  // returns the entry's size
  void EvictOldest();

  size_t capacity_;
  std::unique_ptr<char[]> buf_;
  size_t head_ = 0;       // the oldest entry
  size_t tail_ = 0;       // where the next entry goes
  size_t end_ = 0;        // while wrapped: the end of the older lap's entries
  bool wrapped_ = false;  // the newest entries start at 0, before head_
  size_t count_ = 0;
};

}  // namespace augur::logs
