#include "detect/traffic_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/codec.h"
#include "detect/stats.h"

namespace augur::detect {
namespace {

constexpr double kCusumClip = 8;
constexpr double kBand = 3;
constexpr double kLn10 = 2.302585092994046;

}  // namespace

Verdict TrafficDetector::Update(const Options& o, const CountPoint& p) {
  Verdict v;
  const double x = static_cast<double>(p.requests);
  const Expectation e = base_.Expect(o, p.time_ns);
  if (base_.points() < 2) {
    base_.Learn(o, p.time_ns, x, e);
    return v;
  }
  const double mean = std::max(e.center, 0.0);
  const double z_poisson = PoissonZ(x, mean);
  const double z_empirical = (x - e.center) / e.scale;
  double z = std::fabs(z_empirical) < std::fabs(z_poisson) ? z_empirical : z_poisson;
  if (z < 0 && mean < o.min_expected_count) z = 0;  // too quiet to call a drop
  cusum_.Add(p.time_ns, z, o.cusum_k, kCusumClip, 4 * o.alert_evidence * kLn10 / (2 * o.cusum_k), base_.points() - 2);

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
  c.deviation_up = z;
  c.deviation_down = -z;
  bool persistent = false;
  v.event = incident_.Step(o, p.time_ns, c, base_.points() >= o.warmup_points, &v.finding, &persistent, &v.raw_score,
                           &v.score);
  if (v.event != Event::kNone) {
    const double sd = std::max(e.scale, std::sqrt(mean));
    v.finding.kind = Kind::kTraffic;
    v.finding.quantity = Quantity::kCount;
    v.finding.detector = "poisson-cusum";
    v.finding.before = e.center;
    v.finding.observed = x;
    v.finding.expected_low = std::max(0.0, e.center - kBand * sd);
    v.finding.expected_high = e.center + kBand * sd;
  }
  base_.Learn(o, p.time_ns, x, e, incident_.open() && incident_.persistent());
  return v;
}

std::string TrafficDetector::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.Header(StateType::kTraffic, kVersion);
  base_.Encode(&w);
  cusum_.Encode(&w);
  incident_.Encode(&w);
  return out;
}

Status TrafficDetector::Deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  if (Status s = r.Header(StateType::kTraffic, kVersion); !s.ok()) return s;
  TrafficDetector d;
  d.base_.Decode(&r);
  d.cusum_.Decode(&r);
  d.incident_.Decode(&r);
  if (Status s = r.Finish("traffic detector"); !s.ok()) return s;
  *this = d;
  return Status::OK();
}

}  // namespace augur::detect
