// Correlator::SaveState / LoadState: open insights and remembered events as
// JSON (model/insight_json.h), versioned. Closed insights are in the store
// and need no state.
#include <nlohmann/json.hpp>

#include "insight/correlator.h"
#include "model/insight_json.h"
#include "model/json.h"

namespace augur::insight {
namespace {
constexpr int kStateVersion = 1;
}

std::string Correlator::SaveState() const {
  nlohmann::json open = nlohmann::json::array();
  for (const auto& [id, o] : open_) {
    open.push_back({{"insight", model::InsightToJson(o.insight)},
                    {"last_activity_ns", o.last_activity_ns},
                    {"emitted", o.emitted}});
  }
  nlohmann::json events = nlohmann::json::array();
  for (const auto& [service, list] : events_) {
    for (const auto& e : list) events.push_back(model::ChangeEventToJson(e));
  }
  return nlohmann::json{{"format", "augur.correlator"}, {"version", kStateVersion}, {"open", open}, {"events", events}}
      .dump();
}

Status Correlator::LoadState(std::string_view bytes) {
  const auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "augur.correlator") {
    return Status::InvalidArgument("not a correlator state");
  }
  if (j.value("version", 0) != kStateVersion) {
    return Status::InvalidArgument("correlator state version " + std::to_string(j.value("version", 0)) + " is not " +
                                   std::to_string(kStateVersion));
  }
  std::map<std::string, Open> open;
  std::map<std::string, std::string> insight_of;
  for (const auto& o : j.value("open", nlohmann::json::array())) {
    auto in = model::InsightFromJson(o.value("insight", nlohmann::json()));
    if (!in.ok()) return Status::InvalidArgument("correlator state: " + in.status().message());
    Open& slot = open[in->id];
    slot.last_activity_ns = o.value("last_activity_ns", uint64_t{0});
    slot.emitted = o.value("emitted", false);
    for (const auto& m : in->anomalies) insight_of[m.anomaly.id] = in->id;
    slot.insight = std::move(*in);
  }
  std::map<std::string, std::vector<model::ChangeEvent>> events;
  for (const auto& ej : j.value("events", nlohmann::json::array())) {
    auto e = model::ChangeEventFromJson(ej);
    if (!e.ok()) return Status::InvalidArgument("correlator state: " + e.status().message());
    events[e->service].push_back(std::move(*e));  // saved in time order per service
  }
  open_ = std::move(open);
  insight_of_ = std::move(insight_of);
  events_ = std::move(events);
  data_stops_ = DataStops(options_.data_stop);
  for (const auto& [id, o] : open_) {
    for (const auto& m : o.insight.anomalies) data_stops_.Add(m.anomaly);
  }
  return Status::OK();
}

}  // namespace augur::insight
