#include "cli/replay.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "common/time_format.h"
#include "otlp/encode.h"
#include "scenario/catalog.h"
#include "scenario/generator.h"

namespace augur::cli {
namespace {

uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

nlohmann::json EventJson(const scenario::Deployment& d) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : d.changes) changes.push_back({{"key", c.key}, {"old", c.old_value}, {"new", c.new_value}});
  return {{"type", "DEPLOYMENT"},
          {"service", d.service},
          {"version", d.version},
          {"time", FormatRfc3339(d.time_ns)},
          {"source", "replay"},
          {"description", "deployment of " + d.service + " version " + d.version + " (augur replay)"},
          {"changes", changes}};
}

}  // namespace

StatusOr<ReplayResult> Replay(const ReplayOptions& o, ApiClient* otlp, ApiClient* api) {
  const uint64_t total = o.scenario == "healthy-day" ? o.baseline_ns : o.baseline_ns + o.fault_ns;
  uint64_t start = o.start_ns;
  if (start == 0) {
    const uint64_t now = NowNs();
    start = now - total;
    start -= start % 1'000'000'000;  // whole seconds read better
  }
  auto spec = scenario::NamedScenario(o.scenario, o.seed, start, o.baseline_ns, o.fault_ns);
  if (!spec.ok()) return spec.status();
  auto generator = scenario::Generator::Create(*spec);
  if (!generator.ok()) return generator.status();
  const auto deployments = (*generator)->truth().deployments;

  ReplayResult r;
  r.start_ns = start;
  r.onset_ns = start + o.baseline_ns;
  r.end_ns = start + total;
  size_t next_deployment = 0;
  const auto wall_start = std::chrono::steady_clock::now();
  scenario::Export e;
  uint64_t last_report = 0;
  while ((*generator)->Next(&e)) {
    while (o.post_events && next_deployment < deployments.size() &&
           deployments[next_deployment].time_ns <= e.export_time_ns) {
      auto posted = api->Post("/api/v1/events", EventJson(deployments[next_deployment]));
      if (!posted.ok()) return posted.status();
      ++r.events_posted;
      if (!o.quiet) std::printf("posted deployment %s\n", posted->value("id", "").c_str());
      ++next_deployment;
    }
    if (o.speed > 0) {
      const double event_s = static_cast<double>(e.export_time_ns - start) / 1e9;
      const auto due = wall_start + std::chrono::duration<double>(event_s / o.speed);
      std::this_thread::sleep_until(due);
    }
    std::string body, path;
    switch (e.signal) {
      case scenario::Signal::kTraces:
        body = otlp::EncodeTraces(e.batch);
        path = "/v1/traces";
        r.spans += e.batch.spans.size();
        break;
      case scenario::Signal::kMetrics:
        body = otlp::EncodeMetrics(e.batch);
        path = "/v1/metrics";
        for (const auto& m : e.batch.metrics) r.points += m.points.size();
        break;
      case scenario::Signal::kLogs:
        body = otlp::EncodeLogs(e.batch);
        path = "/v1/logs";
        r.logs += e.batch.logs.size();
        break;
    }
    for (int attempt = 0;; ++attempt) {
      auto sent = otlp->PostRaw(path, body, "application/x-protobuf");
      if (sent.ok()) break;
      const auto code = sent.status().code();
      if ((code != Status::Code::kResourceExhausted && code != Status::Code::kUnavailable) || attempt >= 100) {
        return sent.status();
      }
      ++r.retries;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * std::min(attempt + 1, 20)));
    }
    ++r.exports;
    if (!o.quiet && e.export_time_ns - last_report >= 3'600'000'000'000ULL) {
      last_report = e.export_time_ns;
      std::printf("replayed up to %s (%llu spans)\n", FormatRfc3339(e.export_time_ns).c_str(),
                  static_cast<unsigned long long>(r.spans));
      std::fflush(stdout);
    }
  }
  return r;
}

}  // namespace augur::cli
