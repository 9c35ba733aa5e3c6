#include "detect/metric_detector.h"

#include <cmath>

#include "detect/stats.h"

namespace augur::detect {
namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr double kBand = 3;  // the "expected" band is centre +- kBand scales

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

  Candidates c;
  const double up = CusumEvidence(cusum_.up(), o.cusum_k);
  const double down = CusumEvidence(cusum_.down(), o.cusum_k);
  if (down > up) {
    c.level_evidence = down;
    c.level_direction = Direction::kDown;
    c.level_onset_ns = cusum_.down_onset_ns();
  } else {
    c.level_evidence = up;
    c.level_onset_ns = cusum_.up_onset_ns();
  }
  if (z >= 0) {
    c.spike_evidence = up_.Evidence(z);
  } else {
    c.spike_evidence = down_.Evidence(-z);
    c.spike_direction = Direction::kDown;
  }

  bool persistent = false;
  v.event = incident_.Step(o, p.time_ns, c, base_.points() >= o.warmup_points, &v.finding, &persistent, &v.raw_score,
                           &v.score);
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
  // and the tail grows heavy enough to stop flagging them.
  up_.Learn(z, base_.points());
  down_.Learn(-z, base_.points());
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
  if (Status s = r.Finish("metric detector"); !s.ok()) return s;
  *this = d;
  return Status::OK();
}

}  // namespace augur::detect
