#include "scenario/generator.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <tuple>

#include "scenario/random.h"
#include "scenario/request.h"
#include "scenario/services.h"

namespace augur::scenario {

namespace {

constexpr uint64_t kArrivalStream = 1;
constexpr uint64_t kPhaseStream = 4;
constexpr uint64_t kMetricStream = 5;
constexpr double kTwoPi = 6.28318530717958647692;

struct Tick {
  uint64_t time_ns = 0;
  uint32_t service = 0;
  Signal signal = Signal::kTraces;
  bool operator>(const Tick& o) const {
    return std::tie(time_ns, service, signal) > std::tie(o.time_ns, o.service, o.signal);
  }
};

// Items of one batch point at resources and scopes by index; this hands
// out those indexes as items are added.
class BatchBuilder {
 public:
  BatchBuilder(const ServiceCatalog& services, uint32_t service) : services_(services), service_(service) {}

  uint32_t Resource(uint32_t version) {
    for (size_t i = 0; i < versions_.size(); ++i) {
      if (versions_[i] == version) return static_cast<uint32_t>(i);
    }
    versions_.push_back(version);
    batch_.resources.push_back(services_.resource(service_, version));
    return static_cast<uint32_t>(versions_.size() - 1);
  }
  uint32_t Scope(ScopeId id) {
    for (size_t i = 0; i < scopes_.size(); ++i) {
      if (scopes_[i] == id) return static_cast<uint32_t>(i);
    }
    scopes_.push_back(id);
    batch_.scopes.push_back(ScopeOf(id));
    return static_cast<uint32_t>(scopes_.size() - 1);
  }
  model::Batch& batch() { return batch_; }

 private:
  const ServiceCatalog& services_;
  uint32_t service_;
  std::vector<uint32_t> versions_;
  std::vector<ScopeId> scopes_;
  model::Batch batch_;
};

}  // namespace

const char* SignalName(Signal signal) {
  switch (signal) {
    case Signal::kTraces: return "traces";
    case Signal::kMetrics: return "metrics";
    case Signal::kLogs: return "logs";
  }
  return "traces";
}

struct Generator::Impl {
  // What one service has produced and not yet exported.
  struct ServiceState {
    std::vector<PendingSpan> spans;
    std::vector<PendingLog> logs;
    std::vector<Invocation> invocations;      // not yet counted
    std::vector<uint64_t> invocation_counts;  // per version
    double memory_noise = 0;                  // AR(1), relative to the level
    double memory_mb = 0;
  };

  explicit Impl(ScenarioSpec s)
      : spec(std::move(s)),
        truth(TruthOf(spec)),
        catalog(spec),
        simulator(spec, catalog, truth.faults),
        arrival_rng(spec.seed, kArrivalStream),
        metric_rng(spec.seed, kMetricStream),
        end_ns(spec.start_ns + spec.duration_ns) {
    for (const FunctionSpec& f : spec.functions) {
      total_rate += f.rate_per_s;
      cumulative_rates.push_back(total_rate);
    }
    services.resize(catalog.size());
    for (size_t i = 0; i < services.size(); ++i) {
      services[i].invocation_counts.assign(catalog.version_count(i), 0);
      services[i].memory_mb = i == ServiceCatalog::kGateway ? spec.gateway_memory_mb : spec.functions[i - 1].memory_mb;
    }
    // Phases are drawn for every (service, signal), whether on or not, so
    // turning a signal off does not move the others.
    Rng phase_rng(spec.seed, kPhaseStream);
    for (uint32_t i = 0; i < services.size(); ++i) {
      for (Signal signal : {Signal::kTraces, Signal::kMetrics, Signal::kLogs}) {
        uint64_t interval = Interval(signal);
        double u = phase_rng.Uniform();
        if (interval == 0) continue;
        if (signal == Signal::kLogs && !spec.logs) continue;
        if (signal == Signal::kMetrics && !spec.metrics) continue;
        ticks.push({spec.start_ns + static_cast<uint64_t>(u * static_cast<double>(interval)), i, signal});
      }
    }
    next_arrival = spec.start_ns;
    AdvanceArrival();
  }

  uint64_t Interval(Signal signal) const {
    switch (signal) {
      case Signal::kTraces: return spec.exports.span_interval_ns;
      case Signal::kMetrics: return spec.exports.metric_interval_ns;
      case Signal::kLogs: return spec.exports.log_interval_ns;
    }
    return 0;
  }

  // The rate multiplier of the daily swing at t.
  double Swing(uint64_t t) const {
    if (spec.daily_amplitude == 0) return 1;
    double day_phase = static_cast<double>((t + kDay - 6 * kHour) % kDay) / static_cast<double>(kDay);
    return 1 + spec.daily_amplitude * std::sin(kTwoPi * day_phase);
  }

  // Moves next_arrival to the next request (Poisson, thinned for the swing),
  // or to end_ns when there is none.
  void AdvanceArrival() {
    if (total_rate <= 0) {
      next_arrival = end_ns;
      return;
    }
    const double max_rate = total_rate * (1 + spec.daily_amplitude);
    while (true) {
      double gap_s = arrival_rng.Exponential(1 / max_rate);
      double accept = arrival_rng.Uniform();
      double pick = arrival_rng.Uniform();
      next_arrival += std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(gap_s * 1e9)));
      if (next_arrival >= end_ns) {
        next_arrival = end_ns;
        return;
      }
      if (accept * (1 + spec.daily_amplitude) >= Swing(next_arrival)) continue;
      next_function = 0;
      while (next_function + 1 < cumulative_rates.size() && pick * total_rate >= cumulative_rates[next_function]) {
        ++next_function;
      }
      return;
    }
  }

  // Simulates every request arriving before t.
  void GenerateUntil(uint64_t t) {
    while (next_arrival < t && next_arrival < end_ns) {
      scratch.Clear();
      simulator.Simulate(stats.requests, next_function, next_arrival, &scratch);
      ++stats.requests;
      for (PendingSpan& s : scratch.spans) {
        if (s.service == ServiceCatalog::kGateway && model::IsZero(s.span.parent_span_id) &&
            s.span.status_code == model::StatusCode::kError) {
          ++stats.failed_requests;
        }
        services[s.service].spans.push_back(std::move(s));
      }
      for (PendingLog& l : scratch.logs) services[l.service].logs.push_back(std::move(l));
      for (Invocation& i : scratch.invocations) services[i.service].invocations.push_back(i);
      AdvanceArrival();
    }
  }

  // Moves the items of `pending` that completed before t, oldest first, to
  // batches of at most max_batch; returns how many are left.
  template <typename Pending, typename TimeOf, typename Add>
  size_t FlushItems(std::vector<Pending>* pending, uint64_t t, const Tick& tick, TimeOf time_of, Add add) {
    auto due =
        std::stable_partition(pending->begin(), pending->end(), [&](const Pending& p) { return time_of(p) < t; });
    std::stable_sort(pending->begin(), due,
                     [&](const Pending& a, const Pending& b) { return time_of(a) < time_of(b); });
    for (auto it = pending->begin(); it != due;) {
      BatchBuilder builder(catalog, tick.service);
      for (size_t n = 0; n < spec.exports.max_batch && it != due; ++n, ++it) add(&builder, std::move(*it));
      Emit(tick, std::move(builder.batch()));
    }
    pending->erase(pending->begin(), due);
    return pending->size();
  }

  void Emit(const Tick& tick, model::Batch batch) {
    ++stats.exports;
    ready.push_back({tick.time_ns, catalog.name(tick.service), tick.signal, std::move(batch)});
  }

  // Builds the exports of one tick; false when this exporter is done.
  bool Flush(const Tick& tick) {
    ServiceState& st = services[tick.service];
    const uint64_t t = tick.time_ns;
    if (tick.signal == Signal::kTraces) {
      size_t left = FlushItems(
          &st.spans, t, tick, [](const PendingSpan& p) { return p.span.end_time_unix_nano; },
          [this](BatchBuilder* b, PendingSpan&& p) {
            p.span.resource_index = b->Resource(p.version);
            p.span.scope_index = b->Scope(p.scope);
            b->batch().spans.push_back(std::move(p.span));
            ++stats.spans;
          });
      return t < end_ns || left > 0;
    }
    if (tick.signal == Signal::kLogs) {
      size_t left = FlushItems(
          &st.logs, t, tick, [](const PendingLog& p) { return p.log.time_unix_nano; },
          [this](BatchBuilder* b, PendingLog&& p) {
            p.log.resource_index = b->Resource(p.version);
            p.log.scope_index = b->Scope(ScopeId::kLogging);
            b->batch().logs.push_back(std::move(p.log));
            ++stats.logs;
          });
      return t < end_ns || left > 0;
    }
    // A process exports no metrics after its last request: a final point
    // after the end would report the traffic stopping.
    if (t > end_ns) return false;
    FlushMetrics(tick, &st);
    return t < end_ns;
  }

  void FlushMetrics(const Tick& tick, ServiceState* st) {
    const uint64_t t = tick.time_ns;
    std::erase_if(st->invocations, [&](const Invocation& i) {
      if (i.start_ns >= t) return false;
      ++st->invocation_counts[i.version];
      return true;
    });
    const uint32_t version = static_cast<uint32_t>(catalog.VersionAt(tick.service, t));
    BatchBuilder b(catalog, tick.service);
    const uint32_t resource = b.Resource(version);
    const uint32_t scope = b.Scope(ScopeId::kMetrics);

    st->memory_noise = 0.9 * st->memory_noise + 0.01 * metric_rng.Normal();
    model::Metric memory;
    memory.resource_index = resource;
    memory.scope_index = scope;
    memory.name = "process.memory.usage";
    memory.description = "Resident memory of the service's process.";
    memory.unit = "By";
    memory.type = model::MetricType::kGauge;
    model::MetricPoint& m = memory.points.emplace_back();
    m.time_unix_nano = t;
    m.value = std::round(st->memory_mb * 1e6 * (1 + st->memory_noise));
    m.is_int = true;
    b.batch().metrics.push_back(std::move(memory));

    if (tick.service != ServiceCatalog::kGateway) {
      model::Metric invocations;
      invocations.resource_index = resource;
      invocations.scope_index = scope;
      invocations.name = "faas.invocations";
      invocations.description = "Invocations of the function since its version started.";
      invocations.unit = "{invocation}";
      invocations.type = model::MetricType::kSum;
      invocations.temporality = model::Temporality::kCumulative;
      invocations.monotonic = true;
      model::MetricPoint& p = invocations.points.emplace_back();
      p.start_time_unix_nano = catalog.VersionStart(tick.service, version);
      p.time_unix_nano = t;
      p.value = static_cast<double>(st->invocation_counts[version]);
      p.is_int = true;
      b.batch().metrics.push_back(std::move(invocations));
    }
    stats.points += b.batch().metrics.size();
    Emit(tick, std::move(b.batch()));
  }

  bool Next(Export* out) {
    while (ready.empty()) {
      if (ticks.empty()) return false;
      Tick tick = ticks.top();
      ticks.pop();
      GenerateUntil(tick.time_ns);
      if (Flush(tick)) ticks.push({tick.time_ns + Interval(tick.signal), tick.service, tick.signal});
    }
    *out = std::move(ready.front());
    ready.pop_front();
    return true;
  }

  ScenarioSpec spec;
  GroundTruth truth;
  ServiceCatalog catalog;
  RequestSimulator simulator;
  Rng arrival_rng;
  Rng metric_rng;
  uint64_t end_ns;
  double total_rate = 0;
  std::vector<double> cumulative_rates;
  uint64_t next_arrival = 0;
  size_t next_function = 0;
  std::vector<ServiceState> services;
  std::priority_queue<Tick, std::vector<Tick>, std::greater<Tick>> ticks;
  std::deque<Export> ready;
  RequestTelemetry scratch;
  GeneratorStats stats;
};

Generator::Generator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Generator::~Generator() = default;

StatusOr<std::unique_ptr<Generator>> Generator::Create(ScenarioSpec spec) {
  Status s = Validate(spec);
  if (!s.ok()) return s;
  return std::unique_ptr<Generator>(new Generator(std::make_unique<Impl>(std::move(spec))));
}

bool Generator::Next(Export* out) {
  return impl_->Next(out);
}
const ScenarioSpec& Generator::spec() const {
  return impl_->spec;
}
const GroundTruth& Generator::truth() const {
  return impl_->truth;
}
GeneratorStats Generator::stats() const {
  return impl_->stats;
}

Status Generate(ScenarioSpec spec, const std::function<void(Export&)>& sink) {
  StatusOr<std::unique_ptr<Generator>> g = Generator::Create(std::move(spec));
  if (!g.ok()) return g.status();
  Export e;
  while ((*g)->Next(&e)) sink(e);
  return Status::OK();
}

}  // namespace augur::scenario
