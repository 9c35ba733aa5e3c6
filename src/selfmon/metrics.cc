#include "selfmon/metrics.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace augur::selfmon {
namespace {

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string RenderLabels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + '"';
  }
  if (!extra.empty()) {
    if (!labels.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that round-trips
  return std::string(buf, end);
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < upper_bounds_.size() && v > upper_bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative_counts.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Registry::Child& Registry::GetChild(const std::string& name, const std::string& help, Type type, const Labels& labels) {
  Family& family = families_[name];
  if (family.children.empty()) {
    family.help = help;
    family.type = type;
  } else if (family.type != type) {
    // A programming error: one name registered as two types.
    throw std::logic_error("metric " + name + " registered with two types");
  }
  Child& child = family.children[RenderLabels(labels)];
  child.labels = labels;
  return child;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kCounter, labels);
  if (!c.counter) c.counter = std::make_unique<Counter>();
  return *c.counter;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kGauge, labels);
  if (!c.gauge) c.gauge = std::make_unique<Gauge>();
  return *c.gauge;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                                  std::vector<double> upper_bounds) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kHistogram, labels);
  if (!c.histogram) c.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  return *c.histogram;
}

void Registry::AddCallbackGauge(const std::string& name, const std::string& help, const Labels& labels,
                                std::function<double()> read) {
  std::lock_guard lock(mu_);
  GetChild(name, help, Type::kGauge, labels).read = std::move(read);
}

void Registry::AddCallbackCounter(const std::string& name, const std::string& help, const Labels& labels,
                                  std::function<uint64_t()> read) {
  std::lock_guard lock(mu_);
  GetChild(name, help, Type::kCounter, labels).read_count = std::move(read);
}

std::string Registry::RenderText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter" : family.type == Type::kGauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [key, child] : family.children) {
      if (child.counter || child.read_count) {
        out += name + key + " " + std::to_string(child.read_count ? child.read_count() : child.counter->value()) + "\n";
      } else if (child.gauge || child.read) {
        out += name + key + " " + FormatNumber(child.read ? child.read() : child.gauge->value()) + "\n";
      } else if (child.histogram) {
        const Histogram::Snapshot s = child.histogram->Read();
        for (size_t i = 0; i < s.cumulative_counts.size(); ++i) {
          const std::string le = i < s.upper_bounds.size() ? FormatNumber(s.upper_bounds[i]) : "+Inf";
          out += name + "_bucket" + RenderLabels(child.labels, "le=\"" + le + "\"") + " " +
                 std::to_string(s.cumulative_counts[i]) + "\n";
        }
        out += name + "_sum" + key + " " + FormatNumber(s.sum) + "\n";
        out += name + "_count" + key + " " + std::to_string(s.count) + "\n";
      }
    }
  }
  return out;
}

}  // namespace augur::selfmon
