// Tail probabilities as evidence, and the map from evidence to a score.
// Everything a detector tests is turned into a z-score (a standard normal
// deviate with the same tail probability) so that one CUSUM and one set of
// guards serve gauges, counts and latency alike. Pure functions.
#pragma once

namespace augur::detect {

// e = -log10(P(Z >= z)) for a standard normal Z; 0 for z <= 0 (no evidence
// upward). Accurate to a few percent for any z, and finite (capped at 300).
double NormalEvidence(double z);

// The evidence of a two-sided CUSUM statistic `s` (in scales) run with
// allowance k on N(0,1) input: its stationary tail is about exp(-2ks)
// (Siegmund), so e = 2ks / ln 10.
double CusumEvidence(double s, double k);

// Signed root deviance: the z-score of `x` events when `mean` were expected
// (Poisson), with a half-event continuity correction toward the mean. Exact
// enough in the tails for counts from 0 up; 0 when x is at the mean.
double PoissonZ(double x, double mean);

// The same for `k` of `n` trials with success probability p (binomial).
double BinomialZ(double k, double n, double p);

// The standard normal deviate with the same upper tail as evidence e:
// NormalEvidence(EvidenceZ(e)) ~= e; 0 for e <= log10(2) (P >= 1/2).
double EvidenceZ(double e);

// Evidence against a share: -log10 P(K >= k) (`at_least`) and the mid-p
// version -log10 (P(K > k) + P(K = k) / 2) (`mid`), for K the number of
// successes in n trials whose probability is known only as Beta(a, b)
// (a, b > 0: a posterior of a - prior successes and b - prior failures).
// The beta-binomial predictive is wider than the binomial while few trials
// were seen, so a share learned from little data is not over-trusted.
// Both 0 when k <= the expected n a / (a + b).
struct ShareEvidence {
  double at_least = 0;
  double mid = 0;
};
ShareEvidence BetaBinomialEvidence(double k, double n, double a, double b);

// Maps evidence to [0, 1]: 1 - 2^(-e / alert), so 0 for no evidence, 0.5 at
// the alert bar, 0.75 at twice it. Monotone, so thresholds sweep cleanly.
double Score(double evidence, double alert_evidence);

}  // namespace augur::detect
