#include "api/series_api.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "analysis/red.h"
#include "analysis/sketch.h"
#include "api/params.h"
#include "common/time_format.h"
#include "model/telemetry.h"

namespace augur::api {
namespace {

using nlohmann::json;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kDefaultWindow = 3600 * kSecond;
// Default steps: the first that cuts the window into at most kTargetSteps.
constexpr size_t kTargetSteps = 300;
constexpr std::array<uint64_t, 11> kNiceSteps = {10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400};

// One step of the answer: the matching keys' buckets merged.
struct Step {
  uint64_t count = 0;
  uint64_t errors = 0;
  analysis::DDSketch durations;
};

bool KeyMatches(const model::SeriesKey& key, const SeriesRequest& r) {
  // Every span also updates a key with its service.version when it has one:
  // matching the version exactly (none when the request names none) counts
  // each span once.
  if (key.Attribute("service.version") != r.version) return false;
  return r.peer.empty() || key.Attribute("peer") == r.peer;
}

// "30", "30s", "5m", "2h", "1d" → ns; 0 when malformed.
uint64_t ParseStep(std::string_view text) {
  uint64_t n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n == 0 || n > 86400 * 366) return 0;
  const std::string_view unit(p, text.data() + text.size() - p);
  uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  return n * scale * kSecond;
}

uint64_t DefaultStep(uint64_t window_ns) {
  for (uint64_t s : kNiceSteps) {
    if (window_ns / (s * kSecond) <= kTargetSteps) return s * kSecond;
  }
  return kNiceSteps.back() * kSecond;
}

}  // namespace

StatusOr<json> ComputeSeries(store::Store* store, const SeriesRequest& r, const SeriesLimits& limits) {
  if (r.service.empty()) return Status::InvalidArgument("the service parameter is required");
  if (!r.metric.empty() && r.metric != "span.duration" && r.metric != "span.requests" && r.metric != "span.errors") {
    return Status::InvalidArgument("metric must be span.duration, span.requests or span.errors, got '" + r.metric +
                                   "'; OTLP metrics are at /api/v1/metrics");
  }
  if (!r.kind.empty() && r.kind != "SERVER" && r.kind != "CLIENT" && r.kind != "CONSUMER") {
    return Status::InvalidArgument("kind must be SERVER, CLIENT or CONSUMER, got '" + r.kind + "'");
  }
  if (r.from_ns >= r.to_ns) return Status::InvalidArgument("from must be before to");
  const uint64_t step = r.step_ns != 0 ? r.step_ns : DefaultStep(r.to_ns - r.from_ns);
  const uint64_t first = r.from_ns - r.from_ns % step;  // steps are aligned like the analysis's buckets
  const uint64_t steps = (r.to_ns - first + step - 1) / step;
  if (steps > kMaxSeriesSteps) {
    return Status::InvalidArgument("the window holds " + std::to_string(steps) + " steps; at most " +
                                   std::to_string(kMaxSeriesSteps) + " (use a larger step)");
  }

  analysis::RedOptions options;
  options.clock.bucket_width_ns = step;
  options.clock.allowed_lateness_ns = limits.lateness_ns;
  options.max_series = limits.max_keys;
  analysis::RedAggregator red(options);
  std::map<uint64_t, Step> out;  // by step start; at most `steps` entries
  const auto take = [&] {
    std::vector<analysis::SeriesPoint> points;
    red.TakeClosed(&points);
    for (auto& p : points) {
      if (p.time_ns < first || p.time_ns >= r.to_ns || !KeyMatches(p.key, r)) continue;
      Step& s = out[p.time_ns];
      if (p.key.metric == "span.errors") {
        s.errors += static_cast<uint64_t>(p.value);
      } else if (p.key.metric == "span.duration" && p.sketch) {
        s.count += p.sketch->count();
        (void)s.durations.Merge(*p.sketch);  // same accuracy: cannot fail
      }
    }
  };

  // Pages oldest first. The next page starts at the last start time read
  // and skips the spans of that time already read (the store orders spans
  // of one start time the same way every time).
  store::SpanQuery q;
  q.service = r.service;
  q.from_unix_nano = first;
  q.to_unix_nano = r.to_ns - 1;
  size_t read = 0, skip = 0;
  bool truncated = false;
  uint64_t complete_to = r.to_ns;
  for (;;) {
    const size_t budget = limits.max_spans - read;
    q.limit = std::min(limits.page_spans, budget) + skip;
    auto page = store->QuerySpans(q);
    if (!page.ok()) return page.status();
    const size_t got = page->spans.size();
    if (got <= skip) break;
    const uint64_t last_start = page->spans.back().start_time_unix_nano;
    size_t at_last = 0;
    for (auto it = page->spans.rbegin(); it != page->spans.rend() && it->start_time_unix_nano == last_start; ++it) {
      ++at_last;
    }
    read += got - skip;
    page->spans.erase(page->spans.begin(), page->spans.begin() + static_cast<std::ptrdiff_t>(skip));
    std::erase_if(page->spans, [&](const model::Span& s) {
      return (!r.operation.empty() && s.name != r.operation) || (!r.kind.empty() && r.kind != SpanKindName(s.kind)) ||
             s.end_time_unix_nano >= r.to_ns;
    });
    red.Add(*page);
    take();
    if (got < q.limit) break;  // the window holds no more
    if (read >= limits.max_spans) {
      truncated = true;
      complete_to = last_start;
      break;
    }
    if (at_last == got) {
      // A whole page of one start time: move past it rather than loop.
      q.from_unix_nano = last_start + 1;
      skip = 0;
    } else {
      q.from_unix_nano = last_start;
      skip = at_last;
    }
  }
  red.AdvanceTo(UINT64_MAX);
  take();

  // Truncated: only the steps that end by complete_to are whole (a span
  // starting later ends later).
  json points = json::array();
  uint64_t emitted_to = first;
  for (uint64_t t = first; t < r.to_ns && !(truncated && t + step > complete_to); t += step) {
    emitted_to = t + step;
    auto it = out.find(t);
    const Step* s = it == out.end() ? nullptr : &it->second;
    json point = {{"time", FormatRfc3339(t)}, {"count", s ? s->count : 0}, {"errors", s ? s->errors : 0}};
    for (const auto& [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}) {
      point[name] = s && s->count > 0 ? json(s->durations.Quantile(q)) : json(nullptr);
    }
    points.push_back(std::move(point));
  }
  const analysis::RedStats stats = red.stats();
  return json{{"service", r.service},
              {"operation", r.operation},
              {"kind", r.kind},
              {"peer", r.peer},
              {"version", r.version},
              {"metric", r.metric},
              {"from", FormatRfc3339(first)},
              {"to", FormatRfc3339(r.to_ns)},
              {"step_s", static_cast<double>(step) / kSecond},
              {"points", std::move(points)},
              {"spans_read", read},
              {"late_spans", stats.late},
              {"keys_overflow", stats.series_overflow},
              {"truncated", truncated},
              {"complete_to", FormatRfc3339(truncated ? emitted_to : r.to_ns)}};
}

void RegisterSeriesRoute(http::Server* server, store::Store* store, WallClock now, SeriesLimits limits) {
  if (!now) now = SystemNowUnixNano;
  server->Route("GET", "/api/v1/series", [store, now, limits](http::Request& req, http::Reply reply) {
    SeriesRequest r;
    r.service = Param(req, "service");
    r.operation = Param(req, "operation");
    r.kind = Param(req, "kind");
    std::transform(r.kind.begin(), r.kind.end(), r.kind.begin(), [](unsigned char c) { return std::toupper(c); });
    r.peer = Param(req, "peer");
    r.version = Param(req, "version");
    r.metric = Param(req, "metric");
    uint64_t from = 0, to = UINT64_MAX;
    size_t limit = 0;
    if (Status s = ParseRange(req, &from, &to, &limit); !s.ok()) return reply(http::ErrorResponse(s));
    r.to_ns = to != UINT64_MAX ? to : now();
    r.from_ns = !Param(req, "from").empty() ? from : (r.to_ns > kDefaultWindow ? r.to_ns - kDefaultWindow : 0);
    if (const std::string step = Param(req, "step"); !step.empty()) {
      r.step_ns = ParseStep(step);
      if (r.step_ns == 0) {
        return reply(http::ErrorResponse(Status::InvalidArgument(
            "step must be a positive number of seconds or like 30s, 5m, 1h, got '" + step + "'")));
      }
    }
    auto answer = ComputeSeries(store, r, limits);
    if (!answer.ok()) return reply(http::ErrorResponse(answer.status()));
    reply(JsonResponse(*answer));
  });
}

}  // namespace augur::api
