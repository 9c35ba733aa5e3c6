// Terminal rendering of API answers for the CLI: aligned tables for lists,
// a labelled block for one item. Pure functions of the JSON the API returns
// (docs/api.md), so they are tested without a server. Missing fields render
// as "-" rather than failing: the CLI must not die on an older server.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace augur::cli {

// "2026-11-24T04:03:45.123456789Z" → "2026-11-24 04:03:45"; anything else as is.
std::string ShortTime(const nlohmann::json& time);

// A table: rows of cells, the first row the header; columns padded to the
// widest cell (by UTF-8 code points), two spaces apart, no trailing spaces.
std::string Table(const std::vector<std::vector<std::string>>& rows);

std::string RenderEvents(const nlohmann::json& answer);     // {"events": [...]}
std::string RenderEvent(const nlohmann::json& event);       // one event, with its config diff
std::string RenderAnomalies(const nlohmann::json& answer);  // {"anomalies": [...]}
std::string RenderAnomaly(const nlohmann::json& anomaly);
std::string RenderInsights(const nlohmann::json& answer);  // {"insights": [...]} (summary views)
std::string RenderInsight(const nlohmann::json& insight);  // the full insight: summary, cause, evidence, ...

}  // namespace augur::cli
