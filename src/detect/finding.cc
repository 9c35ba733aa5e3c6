#include "detect/finding.h"

#include <array>
#include <cstdio>

namespace augur::detect {
namespace {

constexpr std::array<std::string_view, 5> kKindNames = {"latency", "errors", "traffic", "metric_level", "metric_spike"};
constexpr std::array<std::string_view, 2> kDirectionNames = {"up", "down"};
constexpr std::array<std::string_view, 7> kQuantityNames = {"value",      "p50",         "p90",  "p99",
                                                            "slow_share", "error_ratio", "count"};

}  // namespace

std::string_view KindName(Kind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}
std::string_view DirectionName(Direction dir) {
  return kDirectionNames[static_cast<size_t>(dir)];
}
std::string_view QuantityName(Quantity q) {
  return kQuantityNames[static_cast<size_t>(q)];
}

std::string Describe(const Finding& f, std::string_view subject, std::string_view unit) {
  const bool ratio = f.quantity == Quantity::kSlowShare || f.quantity == Quantity::kErrorRatio;
  const auto num = [&](double v) {
    char buf[64];
    if (ratio) {
      std::snprintf(buf, sizeof buf, "%.3g%%", 100 * v);
    } else {
      std::snprintf(buf, sizeof buf, "%.3g%s%.*s", v, unit.empty() ? "" : " ", static_cast<int>(unit.size()),
                    unit.data());
    }
    return std::string(buf);
  };
  std::string out;
  switch (f.quantity) {
    case Quantity::kValue: break;
    case Quantity::kP50:
    case Quantity::kP90:
    case Quantity::kP99: out = std::string(QuantityName(f.quantity)) + " "; break;
    case Quantity::kSlowShare: out = "share of slow requests in "; break;
    case Quantity::kErrorRatio: out = "error ratio of "; break;
    case Quantity::kCount: out = "request count of "; break;
  }
  out += subject;
  out += f.direction == Direction::kUp ? " rose from " : " fell from ";
  out += num(f.before) + " to " + num(f.observed) + "; expected ";
  if (ratio) {
    out += num(f.expected_low) + "–" + num(f.expected_high);
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g–", f.expected_low);
    out += buf + num(f.expected_high);
  }
  return out;
}

bool ParseKind(std::string_view name, Kind* out) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) {
      *out = static_cast<Kind>(i);
      return true;
    }
  }
  return false;
}

bool ParseDirection(std::string_view name, Direction* out) {
  for (size_t i = 0; i < kDirectionNames.size(); ++i) {
    if (kDirectionNames[i] == name) {
      *out = static_cast<Direction>(i);
      return true;
    }
  }
  return false;
}

}  // namespace augur::detect
