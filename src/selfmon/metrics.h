// augur's own metrics, rendered in the Prometheus text exposition format
// (version 0.0.4) at GET /metrics.
//
// A Registry owns metric families; each family has a name, help text, a type
// and one child per label set. Children are created once (under the
// registry's mutex) and then updated lock-free with atomics, so hot paths
// hold a reference and never look anything up. References stay valid for the
// registry's lifetime.
//
// Label values must come from small fixed sets chosen by augur's code
// (signal, protocol, route), never from client input: that keeps the number
// of children bounded.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace augur::selfmon {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets with fixed upper bounds, as Prometheus histograms are.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound, then +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; last is +Inf
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, from 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                          std::vector<double> upper_bounds);
  // A gauge read at render time, e.g. a queue's depth. `read` must be cheap,
  // thread-safe, and outlive the registry's use.
  void AddCallbackGauge(const std::string& name, const std::string& help, const Labels& labels,
                        std::function<double()> read);
  // A counter kept elsewhere (e.g. by a pure module that cannot see the
  // registry), read at render time. `read` must be cheap, thread-safe, never
  // decrease, and outlive the registry's use.
  void AddCallbackCounter(const std::string& name, const std::string& help, const Labels& labels,
                          std::function<uint64_t()> read);

  std::string RenderText() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Child {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
    std::function<uint64_t()> read_count;
  };
  struct Family {
    std::string help;
    Type type;
    std::map<std::string, Child> children;  // by rendered label set
  };
  Child& GetChild(const std::string& name, const std::string& help, Type type, const Labels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace augur::selfmon
