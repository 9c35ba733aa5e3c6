#include "detect/incident.h"

#include <algorithm>
#include <cmath>

#include "detect/stats.h"

namespace augur::detect {
namespace {
constexpr double kRereportStep = 0.1;
}  // namespace

void Incident::Fill(Finding* f) const {
  f->direction = (flags_ & kDown) ? Direction::kDown : Direction::kUp;
  f->raised_ns = raised_ns_;
  f->onset_ns = raised_ns_ - std::min<uint64_t>(raised_ns_, uint64_t{onset_ms_before_} * 1'000'000);
  f->score = peak_score_ / 65535.0;
}

void Incident::SetOnset(uint64_t onset_ns) {
  const uint64_t before_ms = (raised_ns_ - std::min(raised_ns_, onset_ns)) / 1'000'000;
  onset_ms_before_ = static_cast<uint32_t>(std::min<uint64_t>(before_ms, UINT32_MAX));
}

void Incident::RaisePeak(double score) {
  const auto q = static_cast<uint16_t>(std::lround(std::clamp(score, 0.0, 1.0) * 65535));
  peak_score_ = std::max(peak_score_, q);
}

Event Incident::Step(const Options& o, uint64_t time_ns, const Candidates& c, bool may_raise, Finding* f,
                     bool* persistent, double* raw_score, double* score) {
  const double level_bar = o.alert_evidence + c.level_bar_raise;
  const double level_score = Score(c.level_evidence, level_bar);
  const double spike_score = Score(c.spike_evidence, o.spike_evidence);
  *raw_score = std::max(level_score, spike_score);
  *score = 0;
  if (!open()) {
    if (!may_raise) return Event::kNone;
    *score = *raw_score;
    const bool level = c.level_evidence >= level_bar;
    const bool spike = c.spike_evidence >= o.spike_evidence;
    if (!level && !spike) return Event::kNone;
    flags_ = kOpen;
    raised_ns_ = time_ns;
    if (level) {
      flags_ |= kPersistent;
      if (c.level_direction == Direction::kDown) flags_ |= kDown;
      SetOnset(c.level_onset_ns);
    } else {
      if (c.spike_direction == Direction::kDown) flags_ |= kDown;
      SetOnset(time_ns);
    }
    quiet_ = 0;
    calm_ms_after_ = kNoCalm;
    peak_score_ = 0;
    RaisePeak(*raw_score);
    Fill(f);
    *persistent = level;
    return Event::kRaised;
  }

  // An open incident reports again (Verdict::score) only when its evidence
  // has grown by a clear step: a threshold sweep can then tell strong
  // incidents from weak ones, and an incident that stays at one strength is
  // reported once.
  if (*raw_score >= peak_score_ / 65535.0 + kRereportStep) *score = *raw_score;
  RaisePeak(*raw_score);
  const Direction dir = (flags_ & kDown) ? Direction::kDown : Direction::kUp;
  if (!(flags_ & kPersistent) && c.level_evidence >= level_bar && c.level_direction == dir) {
    // The spike stayed: it is a level shift that started where the evidence did.
    flags_ |= kPersistent;
    const uint64_t onset_ns = raised_ns_ - std::min<uint64_t>(raised_ns_, uint64_t{onset_ms_before_} * 1'000'000);
    SetOnset(std::min(onset_ns, c.level_onset_ns));
    Fill(f);
    *persistent = true;
    return Event::kUpdated;
  }
  // Where the series came back: the first point of the run of points back
  // within end_band of the learned normal on the incident's side.
  const double deviation = (flags_ & kDown) ? c.deviation_down : c.deviation_up;
  if (deviation > o.end_band) {
    calm_ms_after_ = kNoCalm;
  } else if (calm_ms_after_ == kNoCalm) {
    const uint64_t after_ms = (time_ns - std::min(time_ns, raised_ns_)) / 1'000'000;
    calm_ms_after_ = static_cast<uint32_t>(std::min<uint64_t>(after_ms, kNoCalm - 1));
  }
  if (c.level_evidence < o.end_evidence && c.spike_evidence < o.end_spike_evidence) {
    if (quiet_ < UINT8_MAX) ++quiet_;
  } else {
    quiet_ = 0;
  }
  if (quiet_ < o.end_quiet_points) return Event::kNone;
  Fill(f);
  f->ended_ns = calm_ms_after_ == kNoCalm ? time_ns : raised_ns_ + uint64_t{calm_ms_after_} * 1'000'000;
  *persistent = (flags_ & kPersistent) != 0;
  flags_ = 0;
  quiet_ = 0;
  return Event::kEnded;
}

void Incident::Encode(ByteWriter* w) const {
  w->Put(raised_ns_);
  w->Put(onset_ms_before_);
  w->Put(calm_ms_after_);
  w->Put(peak_score_);
  w->Put(quiet_);
  w->Put(flags_);
}

void Incident::Decode(ByteReader* r) {
  r->Get(&raised_ns_);
  r->Get(&onset_ms_before_);
  r->Get(&calm_ms_after_);
  r->Get(&peak_score_);
  r->Get(&quiet_);
  r->Get(&flags_);
}

}  // namespace augur::detect
