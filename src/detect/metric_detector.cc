#include "detect/metric_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/stats.h"

namespace augur::detect {
namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr double kBand = 3;             // the "expected" band is centre +- kBand scales
constexpr double kLoadTauNs = 86400e9;  // incidents are remembered for about a day
constexpr float kLoadFloor = 0.01f;     // below this, forgotten (no exp() per point for ever)
constexpr float kLog10Of2 = 0.30103f;

// CUSUM calibration (metric_detector.h).
constexpr double kTailUnit = 16384;  // fixed point of tail_up_, tail_down_
constexpr double kTailClip = 3;      // input beyond this many scales is an outlier, not the tail's shape
constexpr double kTailWeight = 1.0 / 1000;
constexpr double kTailPriorPoints = 100;  // a cold series starts as Gaussian, worth this many points
constexpr double kMinCalibration = 0.5;

// Evidence per unit of CUSUM statistic, relative to N(0,1) input, for a
// side whose input has E[exp(2k (x - k))] = tail / kTailUnit.
double Calibration(uint16_t tail, double k) {
  const double ln_m = std::log(std::max<double>(tail, 1) / kTailUnit);
  const double g = 2 * k * k;
  return ln_m <= 0 ? 1 : std::max(kMinCalibration, g / (ln_m + g));
}

// One step of the exponential average `tail` (in 1/kTailUnit) toward `v`.
void LearnTail(uint16_t* tail, double v, double w) {
  const double m = *tail / kTailUnit;
  *tail = static_cast<uint16_t>(std::clamp<long>(std::lround((m + w * (v - m)) * kTailUnit), 1, UINT16_MAX));
}

// The CUSUM statistic that reaches `evidence`, and the cap that keeps an ended
// shift from lingering: four times the alert level.
double CusumCap(const Options& o) {
  return 4 * o.alert_evidence * kLn10 / (2 * o.cusum_k);
}

}  // namespace

Verdict MetricDetector::Update(const Options& o, const MetricPoint& p) {
  Verdict v;
  if (!std::isfinite(p.value)) return v;
  const Expectation e = base_.Expect(o, p.time_ns);
  if (base_.points() < 2) {
    base_.Learn(o, p.time_ns, p.value, e);
    return v;
  }
  const double z = (p.value - e.center) / e.scale;
  // No `seen` for the autocorrelation's start (cusum.h): measured, it costs
  // the NAB score 0.1; the analyzer warms OTLP metric series up longer instead.
  cusum_.Add(p.time_ns, z, o.cusum_k, o.cusum_clip, CusumCap(o));
  // What the CUSUM gathers while the baseline is still warming up is the
  // baseline's own learning (a trend not yet learned, a scale not yet
  // known), not evidence: it would raise at the first point allowed to.
  if (base_.points() < o.warmup_points) cusum_.ClearEvidence();

  Candidates c;
  // (A statistic at 0 needs no calibration: a log per point saved.)
  const double up = cusum_.up() > 0 ? CusumEvidence(cusum_.up(), o.cusum_k) * Calibration(tail_up_, o.cusum_k) : 0;
  const double down =
      cusum_.down() > 0 ? CusumEvidence(cusum_.down(), o.cusum_k) * Calibration(tail_down_, o.cusum_k) : 0;
  if (down > up) {
    c.level_evidence = down;
    c.level_direction = Direction::kDown;
    c.level_onset_ns = cusum_.down_onset_ns();
  } else {
    c.level_evidence = up;
    c.level_onset_ns = cusum_.up_onset_ns();
  }
  c.deviation_up = z;
  c.deviation_down = -z;
  if (z >= 0) {
    c.spike_evidence = up_.Evidence(z);
  } else {
    c.spike_evidence = down_.Evidence(-z);
    c.spike_direction = Direction::kDown;
  }

  // Alert fatigue: the level-shift bar assumes the learned normal fits, so
  // that false incidents come at about Options::false_per_day. A series
  // that raised `load` incidents in the last day or so (decaying, time
  // constant one day) shows its normal is wilder than learned: its bar
  // rises by log10(1 + load / false_per_day), the decades by which its own
  // record exceeds the budget (one incident yesterday at 1e-3 a day: 3). So
  // a bursty series, or one whose normal the baseline cannot follow, quiets
  // down, and its later incidents score by how far they clear the raised
  // bar; a real change still raises, as its evidence keeps growing. (The
  // spike bar needs no such guard: the Spot tails learn the series' own.)
  if (load_ > 0 && p.time_ns > base_.last_ns()) {
    // exp(-f), by its series while f is small (every point of a busy series
    // pays for this while an incident is remembered).
    const float f = static_cast<float>(static_cast<double>(p.time_ns - base_.last_ns()) * (1 / kLoadTauNs));
    load_ *= f < 0.01f ? 1 - f * (1 - 0.5f * f) : std::exp(-f);
    if (load_ < kLoadFloor) load_ = 0;
  }
  if (load_ > 0) {
    c.level_bar_raise = kLog10Of2 * std::log2(1 + load_ / static_cast<float>(std::max(o.false_per_day, 1e-9)));
  }
  // The calibration learns the series' normal: the points while no incident
  // is open (an anomaly is not normal; the point that raises one counts,
  // a burst is judged by the others like it). After this point's evidence.
  if (!incident_.open()) {
    const double x = std::clamp(cusum_.Whitened(z), -kTailClip, kTailClip);
    const double w = std::max(kTailWeight, 1.0 / (base_.points() + kTailPriorPoints));
    // exp(2k (x - k)) exp(2k (-x - k)) = exp(-4k^2): one exp for both sides.
    const double k = o.cusum_k, v_up = std::exp(2 * k * (x - k));
    LearnTail(&tail_up_, v_up, w);
    LearnTail(&tail_down_, std::exp(-4 * k * k) / v_up, w);
  }

  const bool was_open = incident_.open();
  const Direction open_dir = incident_.direction();
  bool persistent = false;
  v.event = incident_.Step(o, p.time_ns, c, base_.points() >= o.warmup_points, &v.finding, &persistent, &v.raw_score,
                           &v.score);
  if (v.event == Event::kRaised) load_ += 1;
  if (v.event != Event::kNone) {
    v.finding.kind = persistent ? Kind::kMetricLevel : Kind::kMetricSpike;
    v.finding.quantity = Quantity::kValue;
    v.finding.detector = persistent ? "cusum" : "spot";
    v.finding.before = e.center;
    v.finding.observed = p.value;
    v.finding.expected_low = e.center - kBand * e.scale;
    v.finding.expected_high = e.center + kBand * e.scale;
  }

  // Unlike SPOT, the tails learn extreme points too (each still raises while
  // it is extreme): spikes that keep coming are part of the series' normal,
  // and the tail grows heavy enough to stop flagging them. But not the points
  // on the side of an open incident (the point that raised it is learned): a
  // level shift's points are all far out against the old normal until the
  // baseline has caught up, and taken as peaks they made the tail so heavy
  // that a later spike was no longer one (testdata/shift_tail.test).
  if (!was_open || open_dir != Direction::kUp) up_.Learn(z, base_.points());
  if (!was_open || open_dir != Direction::kDown) down_.Learn(-z, base_.points());
  base_.Learn(o, p.time_ns, p.value, e, incident_.open() && incident_.persistent());
  return v;
}

std::string MetricDetector::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.Header(StateType::kMetric, kVersion);
  base_.Encode(&w);
  cusum_.Encode(&w);
  up_.Encode(&w);
  down_.Encode(&w);
  incident_.Encode(&w);
  w.Put(load_);
  w.Put(tail_up_);
  w.Put(tail_down_);
  return out;
}

Status MetricDetector::Deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  if (Status s = r.Header(StateType::kMetric, kVersion); !s.ok()) return s;
  MetricDetector d;
  d.base_.Decode(&r);
  d.cusum_.Decode(&r);
  d.up_.Decode(&r);
  d.down_.Decode(&r);
  d.incident_.Decode(&r);
  r.Get(&d.load_);
  r.Get(&d.tail_up_);
  r.Get(&d.tail_down_);
  if (Status s = r.Finish("metric detector"); !s.ok()) return s;
  *this = d;
  return Status::OK();
}

}  // namespace augur::detect
