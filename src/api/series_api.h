// GET /api/v1/series: the RED series of one span operation (requests,
// errors, duration quantiles per step), computed on demand from stored
// spans, for charts such as the console's insight timeline. docs/api.md
// describes the route.
//
// Why computed here and not stored: the analysis keeps only the last few
// buckets of each series; the spans are stored anyway, and a chart needs
// one series over one window at a time.
//
// Counting rules are the analysis's own (analysis/red.h): the spans go
// through a RedAggregator whose bucket width is the step, so a chart shows
// what the detectors saw: SERVER and CONSUMER spans, CLIENT spans that name
// their dependency (`peer`), errors as status ERROR or a 5xx on a SERVER
// span, each span counted in the step its end time falls in. Spans are
// selected by start time in [from, to); one that ends at or after `to` is
// left out.
//
// Bounds (the route runs on an API thread, so its work is capped): at most
// kMaxSeriesSteps steps; at most SeriesLimits::max_spans spans read, oldest
// first, in pages of page_spans (the answer then says `truncated` and up to
// where its steps are complete); at most max_keys RED keys (operations x
// kinds x peers x versions) held at once; a span is late (counted, not
// charted) when one that started before it ended more than `lateness`
// after it.
//
// Threads: as query_api.h; ComputeSeries is safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/analysis_api.h"
#include "common/status.h"
#include "http/server.h"
#include "store/store.h"

namespace augur::api {

inline constexpr size_t kMaxSeriesSteps = 2000;

struct SeriesLimits {
  size_t max_spans = 200'000;
  size_t page_spans = 10'000;
  size_t max_keys = 1'000;
  uint64_t lateness_ns = 600'000'000'000;  // 10 min
};

struct SeriesRequest {
  std::string service;    // required
  std::string operation;  // span name; "" = every operation of the service
  std::string kind;       // SERVER, CLIENT or CONSUMER; "" = any
  std::string peer;       // a CLIENT span's dependency; "" = any
  std::string version;    // service.version; "" = all versions together
  std::string metric;     // span.duration, span.requests, span.errors or "": echoed only
  uint64_t from_ns = 0;
  uint64_t to_ns = 0;    // > from_ns
  uint64_t step_ns = 0;  // 0: chosen so the window has at most ~300 steps (at least 10 s)
};

// The answer of GET /api/v1/series (docs/api.md). InvalidArgument for a
// request out of bounds (no service, from >= to, too many steps).
StatusOr<nlohmann::json> ComputeSeries(store::Store* store, const SeriesRequest& request,
                                       const SeriesLimits& limits = {});

// GET /api/v1/series. `now` gives the default window (the hour before now).
void RegisterSeriesRoute(http::Server* server, store::Store* store, WallClock now = SystemNowUnixNano,
                         SeriesLimits limits = {});

}  // namespace augur::api
