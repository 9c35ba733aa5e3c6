#include "detect/script_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "detect/error_detector.h"
#include "detect/latency_detector.h"
#include "detect/metric_detector.h"
#include "detect/traffic_detector.h"

namespace augur::detect::script {
namespace {

// splitmix64 with Box-Muller normals: portable and bit-for-bit repeatable,
// unlike std::normal_distribution, whose algorithm the standard leaves open.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  double Normal() {
    if (spare_) {
      const double v = *spare_;
      spare_.reset();
      return v;
    }
    const double r = std::sqrt(-2 * std::log(Uniform())), a = 2 * M_PI * Uniform();
    spare_ = r * std::sin(a);
    return r * std::cos(a);
  }
  int64_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 50) return std::max<int64_t>(0, std::llround(mean + std::sqrt(mean) * Normal()));
    const double limit = std::exp(-mean);
    int64_t k = 0;
    for (double p = Uniform(); p > limit; p *= Uniform()) ++k;
    return k;
  }

 private:
  uint64_t state_;
  std::optional<double> spare_;
};

double Eval(const Expr& e, const Load& l, int64_t i, double t_s, Rng* rng) {
  double v = 0;
  for (const Term& term : e.terms) {
    switch (term.type) {
      case Term::kConst: v += term.a; break;
      case Term::kRamp:
        v += l.to == l.from
                 ? term.a
                 : term.a + (term.b - term.a) * static_cast<double>(i - l.from) / static_cast<double>(l.to - l.from);
        break;
      case Term::kSine: v += term.a * std::sin(2 * M_PI * t_s / term.b); break;
    }
  }
  if (e.noise_sd > 0) v += e.noise_sd * rng->Normal();
  if (e.poisson) v = static_cast<double>(rng->Poisson(v));
  return v;
}

int64_t Count(double v) {
  return std::max<int64_t>(0, std::llround(v));
}

// One generated point of any kind.
struct Gen {
  bool present = false;
  double value = 0;                  // metric, traffic
  int64_t requests = 0;              // errors, latency
  int64_t errors = 0;                // errors
  std::vector<double> latencies_ms;  // latency
};

std::vector<Gen> Generate(const Series& s) {
  int64_t n = 0;
  for (const Load& l : s.loads) n = std::max(n, l.to + 1);
  std::vector<Gen> g(static_cast<size_t>(n));
  for (const Load& l : s.loads) {
    Rng rng(l.seed);
    for (int64_t i = l.from; i <= l.to; ++i) {
      Gen& p = g[static_cast<size_t>(i)];
      if (l.op == Load::kGap) {
        p = Gen();
        continue;
      }
      const double t_s =
          static_cast<double>(s.start_ns) / 1e9 + static_cast<double>(i) * static_cast<double>(s.interval_ns) / 1e9;
      const double v = Eval(l.value, l, i, t_s, &rng);
      if (l.op == Load::kAdd) {
        if (p.present) p.value += v;
        continue;
      }
      p = Gen();
      p.present = true;
      switch (s.kind) {
        case SeriesKind::kMetric: p.value = v; break;
        case SeriesKind::kTraffic: p.value = static_cast<double>(Count(v)); break;
        case SeriesKind::kErrors:
          p.requests = Count(v);
          if (l.errors) {
            p.errors = std::min(p.requests, Count(Eval(*l.errors, l, i, t_s, &rng)));
          } else {
            for (int64_t r = 0; r < p.requests; ++r) p.errors += rng.Uniform() < l.error_rate ? 1 : 0;
          }
          break;
        case SeriesKind::kLatency:
          p.requests = Count(v);
          for (int64_t r = 0; r < p.requests; ++r) {
            p.latencies_ms.push_back(l.median_ms * std::exp(l.sigma * rng.Normal()) + l.shift_ms);
          }
          std::sort(p.latencies_ms.begin(), p.latencies_ms.end());
          break;
      }
    }
  }
  return g;
}

// Nearest-rank quantile of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

bool Matches(const Expect& e, const SeenIncident& in) {
  if (e.kind && *e.kind != in.finding.kind) return false;
  if (e.direction && *e.direction != in.finding.direction) return false;
  if (e.quantity && *e.quantity != in.finding.quantity) return false;
  if (e.onset && !e.onset->Contains(in.onset)) return false;
  if (e.raised && !e.raised->Contains(in.raised)) return false;
  if (e.ended && (in.ended < 0 || !e.ended->Contains(in.ended))) return false;
  if (e.min_score && in.finding.score < *e.min_score) return false;
  return true;
}

}  // namespace

std::string SeenIncident::ToString() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s %s onset=%lld raised=%lld ended=%lld score=%.2f ",
                std::string(KindName(finding.kind)).c_str(), std::string(DirectionName(finding.direction)).c_str(),
                static_cast<long long>(onset), static_cast<long long>(raised), static_cast<long long>(ended),
                finding.score);
  return buf + std::string("(") + finding.detector + ": " + Describe(finding, "series", "") + ")";
}

Outcome Run(std::string_view file_name, const Series& s) {
  Outcome out;
  const Options o = Options::For(s.sensitivity);
  const std::vector<Gen> gen = Generate(s);
  MetricDetector metric;
  TrafficDetector traffic;
  ErrorDetector errors;
  LatencyDetector latency;
  const auto index = [&](uint64_t t) { return static_cast<int64_t>((t - std::min(t, s.start_ns)) / s.interval_ns); };
  for (size_t i = 0; i < gen.size(); ++i) {
    const Gen& g = gen[i];
    if (!g.present) continue;
    const uint64_t t = s.start_ns + i * s.interval_ns;
    Verdict v;
    switch (s.kind) {
      case SeriesKind::kMetric: v = metric.Update(o, MetricPoint{t, g.value}); break;
      case SeriesKind::kTraffic: v = traffic.Update(o, CountPoint{t, static_cast<uint64_t>(g.value), 0}); break;
      case SeriesKind::kErrors:
        v = errors.Update(o, CountPoint{t, static_cast<uint64_t>(g.requests), static_cast<uint64_t>(g.errors)});
        break;
      case SeriesKind::kLatency: {
        LatencyPoint p;
        p.time_ns = t;
        p.count = g.latencies_ms.size();
        if (p.count > 0) {
          p.p50 = Quantile(g.latencies_ms, 0.5);
          p.p90 = Quantile(g.latencies_ms, 0.9);
          p.p99 = Quantile(g.latencies_ms, 0.99);
          p.reference = latency.Reference();
          if (p.reference > 0) {
            p.slow = static_cast<uint64_t>(g.latencies_ms.end() -
                                           std::upper_bound(g.latencies_ms.begin(), g.latencies_ms.end(), p.reference));
          }
        }
        v = latency.Update(o, p);
        break;
      }
    }
    ++out.points;
    switch (v.event) {
      case Event::kNone: break;
      case Event::kRaised: {
        SeenIncident in;
        in.finding = v.finding;
        in.onset = index(v.finding.onset_ns);
        in.raised = index(v.finding.raised_ns);
        out.incidents.push_back(in);
        break;
      }
      case Event::kUpdated:
      case Event::kEnded: {
        if (out.incidents.empty()) {
          out.failures.push_back(std::string(file_name) + ": event without a raised incident (detector bug)");
          break;
        }
        SeenIncident& in = out.incidents.back();
        in.finding.kind = v.finding.kind;
        in.finding.detector = v.finding.detector;
        in.finding.score = std::max(in.finding.score, v.finding.score);
        in.onset = index(v.finding.onset_ns);
        if (v.event == Event::kEnded) in.ended = index(v.finding.ended_ns);
        break;
      }
    }
  }

  std::string seen;
  for (const SeenIncident& in : out.incidents) seen += "\n    " + in.ToString();
  if (seen.empty()) seen = " none";
  const auto fail = [&](const Expect& e, const std::string& why) {
    out.failures.push_back(std::string(file_name) + ":" + std::to_string(e.line) + ": " + e.text + ": " + why +
                           "; series " + s.name + " incidents:" + seen);
  };
  std::vector<bool> used(out.incidents.size(), false);
  for (const Expect& e : s.expects) {
    switch (e.type) {
      case Expect::kAnomaly: {
        bool found = false;
        for (size_t i = 0; i < out.incidents.size() && !found; ++i) {
          if (!used[i] && Matches(e, out.incidents[i])) used[i] = found = true;
        }
        if (!found) fail(e, "no incident matches");
        break;
      }
      case Expect::kNoAnomaly:
      case Expect::kCount: {
        int64_t n = 0;
        for (const SeenIncident& in : out.incidents) n += e.in.Contains(in.raised) ? 1 : 0;
        if (e.type == Expect::kNoAnomaly && n > 0) fail(e, std::to_string(n) + " raised in range");
        if (e.type == Expect::kCount && n != e.count) fail(e, std::to_string(n) + " raised in range");
        break;
      }
    }
  }
  return out;
}

}  // namespace augur::detect::script
