// The detector test language: a small, readable text format for detector
// test cases, in the spirit of Prometheus's promqltest. A file holds one or
// more series, each with the points to feed and what must (not) be found:
//
//   # step up after a quiet hour must alert within 2 points
//   series cpu kind=metric interval=10s
//     load 0..359: 50 +- 2 seed=1
//     load 360..420: 80 +- 2
//   expect anomaly kind=metric_level direction=up onset=360 raised<=362
//   expect no anomaly in 0..359
//
// Lines (leading spaces are ignored; '#' starts a comment):
//   series NAME [kind=metric|traffic|errors|latency] [interval=10s]
//          [start=SECONDS] [sensitivity=low|medium|high]
//       Starts a series; points are numbered 0, 1, ... at start + i * interval
//       (start defaults to 2024-01-01T00:00:00Z, a Monday).
//   load A..B: BODY [seed=N]     sets points A..B (a later load overrides)
//   add A..B: EXPR [seed=N]      adds EXPR to points A..B (spikes, steps on a pattern)
//   gap A..B                     removes points A..B (no data)
//   expect anomaly FIELD...      some incident, not matched by an earlier
//                                expect, has all these fields
//   expect no anomaly [in A..B]  no incident raised in A..B (default: anywhere)
//   expect incidents=N [in A..B] exactly N incidents raised in A..B
//
// BODY for kind=metric and kind=traffic is a value expression:
//   TERM {+|- TERM} [+- SD] [~poisson]
//   TERM: NUMBER | ramp(FROM, TO) | sine(AMPLITUDE, PERIOD)
// ramp goes linearly from FROM at A to TO at B; sine is
// AMPLITUDE * sin(2 pi t / PERIOD) in data time; "+- SD" adds Gaussian noise;
// "~poisson" draws a Poisson count with the expression as its mean.
// BODY for kind=errors: requests=EXPR errors=EXPR | error_rate=P
//   (errors are a binomial draw of the requests at rate P, or the EXPR count).
// BODY for kind=latency: requests=EXPR median=DURATION sigma=S [shift=DURATION]
//   each request takes median * exp(sigma * N(0,1)) + shift; the bucket's
//   p50/p90/p99 and its count above the detector's Reference() are computed
//   exactly from the requests, as a sketch would.
// DURATION and PERIOD: a number with ms, s, m, h, d or w (latency is in ms).
// Expect FIELDs: kind=K direction=up|down quantity=Q, and onset, raised,
// ended as =N, <=N, >=N or =A..B (point numbers), score>=X.
//
// Randomness is splitmix64 seeded by `seed` (default: the line number), with
// Box-Muller normals: the same file gives the same points everywhere.
// Parsing is pure; Parse* return InvalidArgument naming the line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "detect/finding.h"
#include "detect/options.h"

namespace augur::detect::script {

enum class SeriesKind { kMetric, kTraffic, kErrors, kLatency };

// A value expression: sum of terms, then noise, then an optional Poisson draw.
struct Term {
  enum Type { kConst, kRamp, kSine } type = kConst;
  double a = 0, b = 0;  // const: a; ramp: from a to b; sine: amplitude a, period b seconds
};
struct Expr {
  std::vector<Term> terms;
  double noise_sd = 0;
  bool poisson = false;
};

struct Load {
  int line = 0;
  enum Op { kSet, kAdd, kGap } op = kSet;
  int64_t from = 0, to = 0;  // inclusive point numbers
  uint64_t seed = 0;
  Expr value;  // metric, traffic; and requests for errors, latency
  // errors
  std::optional<Expr> errors;
  double error_rate = -1;  // >= 0 when given
  // latency, in ms
  double median_ms = 0, sigma = 0, shift_ms = 0;
};

struct Range {  // inclusive
  int64_t lo = INT64_MIN, hi = INT64_MAX;
  bool Contains(int64_t i) const { return i >= lo && i <= hi; }
};

struct Expect {
  int line = 0;
  std::string text;  // the line as written, for messages
  enum Type { kAnomaly, kNoAnomaly, kCount } type = kAnomaly;
  std::optional<Kind> kind;
  std::optional<Direction> direction;
  std::optional<Quantity> quantity;
  std::optional<Range> onset, raised, ended;
  std::optional<double> min_score;
  Range in;           // kNoAnomaly, kCount
  int64_t count = 0;  // kCount
};

struct Series {
  int line = 0;
  std::string name;
  SeriesKind kind = SeriesKind::kMetric;
  uint64_t interval_ns = 10'000'000'000;
  uint64_t start_ns = 1704067200ull * 1'000'000'000;  // 2024-01-01T00:00:00Z
  Sensitivity sensitivity = Sensitivity::kMedium;
  std::vector<Load> loads;
  std::vector<Expect> expects;
};

struct Script {
  std::vector<Series> series;
};

// Parses a whole file's text; `name` prefixes error messages ("step.test:4: ...").
StatusOr<Script> Parse(std::string_view name, std::string_view text);

// "10s", "1.5h", "120ms" -> seconds. False if malformed.
bool ParseDuration(std::string_view text, double* seconds);

}  // namespace augur::detect::script
