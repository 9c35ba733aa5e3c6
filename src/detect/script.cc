#include "detect/script.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace augur::detect::script {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool ParseDouble(std::string_view s, double* out) {
  const std::string str(s);
  if (str.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view s, int64_t* out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "A..B" or "N" (a range of one).
bool ParseRange(std::string_view s, int64_t* lo, int64_t* hi) {
  const size_t dots = s.find("..");
  if (dots == std::string_view::npos) {
    if (!ParseInt(s, lo)) return false;
    *hi = *lo;
    return true;
  }
  return ParseInt(s.substr(0, dots), lo) && ParseInt(s.substr(dots + 2), hi) && *lo <= *hi;
}

// A cursor over one expression.
class ExprParser {
 public:
  explicit ExprParser(std::string_view s) : s_(s) {}

  bool Parse(Expr* e, std::string* err) {
    double sign = 1;
    for (;;) {
      Term t;
      if (!ParseTerm(&t, err)) return false;
      if (t.type == Term::kConst || t.type == Term::kRamp) {
        t.a *= sign;
        t.b *= sign;
      } else {
        t.a *= sign;
      }
      e->terms.push_back(t);
      Skip();
      if (Eat("+-")) {
        if (!Number(&e->noise_sd, err)) return false;
        Skip();
      }
      if (Eat("~poisson")) {
        e->poisson = true;
        Skip();
      }
      if (pos_ == s_.size()) return true;
      if (!e->terms.empty() && e->noise_sd == 0 && !e->poisson && (Eat("+") || Peek('-'))) {
        sign = 1;
        if (Eat("-")) sign = -1;
        continue;
      }
      *err = "unexpected '" + std::string(s_.substr(pos_)) + "'";
      return false;
    }
  }

 private:
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool Eat(std::string_view t) {
    Skip();
    if (s_.substr(pos_, t.size()) != t) return false;
    pos_ += t.size();
    return true;
  }
  // A number, or a duration when `seconds` (then read in seconds).
  bool Token(std::string_view* out) {
    Skip();
    size_t j = pos_;
    while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' ||
                             ((s_[j] == '-' || s_[j] == '+') && j == pos_) ||
                             ((s_[j] == '-' || s_[j] == '+') && j > pos_ && (s_[j - 1] == 'e' || s_[j - 1] == 'E')))) {
      ++j;
    }
    *out = s_.substr(pos_, j - pos_);
    pos_ = j;
    return !out->empty();
  }
  bool Number(double* v, std::string* err) {
    std::string_view t;
    if (!Token(&t) || !ParseDouble(t, v)) {
      *err = "want a number at '" + std::string(t) + "'";
      return false;
    }
    return true;
  }
  bool Duration(double* v, std::string* err) {
    std::string_view t;
    if (!Token(&t) || !ParseDuration(t, v)) {
      *err = "want a duration (10s, 1h, 1d) at '" + std::string(t) + "'";
      return false;
    }
    return true;
  }
  bool ParseTerm(Term* t, std::string* err) {
    if (Eat("ramp(")) {
      t->type = Term::kRamp;
      if (!Number(&t->a, err) || !Eat(",") || !Number(&t->b, err) || !Eat(")")) {
        if (err->empty()) *err = "want ramp(FROM, TO)";
        return false;
      }
      return true;
    }
    if (Eat("sine(")) {
      t->type = Term::kSine;
      if (!Number(&t->a, err) || !Eat(",") || !Duration(&t->b, err) || !Eat(")")) {
        if (err->empty()) *err = "want sine(AMPLITUDE, PERIOD)";
        return false;
      }
      return true;
    }
    t->type = Term::kConst;
    return Number(&t->a, err);
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool ParseExpr(std::string_view s, Expr* e, std::string* err) {
  ExprParser p(Trim(s));
  return p.Parse(e, err);
}

// "<=N", ">=N", "=N", "=A..B" after a field name.
bool ParseBound(std::string_view s, Range* r) {
  int64_t lo, hi;
  if (s.starts_with("<=")) {
    if (!ParseInt(s.substr(2), &hi)) return false;
    r->hi = hi;
    return true;
  }
  if (s.starts_with(">=")) {
    if (!ParseInt(s.substr(2), &lo)) return false;
    r->lo = lo;
    return true;
  }
  if (s.starts_with("=")) {
    if (!ParseRange(s.substr(1), &lo, &hi)) return false;
    r->lo = lo;
    r->hi = hi;
    return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view name) : name_(name) {}

  Status Error(int line, const std::string& what) const {
    return Status::InvalidArgument(std::string(name_) + ":" + std::to_string(line) + ": " + what);
  }

  Status Line(int line, std::string_view text, Script* out) {
    const std::vector<std::string_view> w = Words(text);
    if (w.empty()) return Status::OK();
    if (w[0] == "series") return SeriesLine(line, w, out);
    // Appended, not "'" + std::string(...): g++ 12 at -O3 raises a false -Wrestrict on that.
    if (out->series.empty()) return Error(line, std::string("'").append(w[0]).append("' before any 'series'"));
    Series& s = out->series.back();
    if (w[0] == "load" || w[0] == "add") return LoadLine(line, text, w[0] == "add", &s);
    if (w[0] == "gap") {
      Load l;
      l.line = line;
      l.op = Load::kGap;
      if (w.size() != 2 || !ParseRange(w[1], &l.from, &l.to)) return Error(line, "want 'gap A..B'");
      s.loads.push_back(l);
      return Status::OK();
    }
    if (w[0] == "expect") return ExpectLine(line, text, w, &s);
    return Error(line, "unknown statement '" + std::string(w[0]) + "'");
  }

 private:
  Status SeriesLine(int line, const std::vector<std::string_view>& w, Script* out) {
    if (w.size() < 2 || w[1].find('=') != std::string_view::npos) return Error(line, "want 'series NAME ...'");
    Series s;
    s.line = line;
    s.name = std::string(w[1]);
    for (size_t i = 2; i < w.size(); ++i) {
      const size_t eq = w[i].find('=');
      if (eq == std::string_view::npos) return Error(line, "want key=value, got '" + std::string(w[i]) + "'");
      const std::string_view key = w[i].substr(0, eq), value = w[i].substr(eq + 1);
      if (key == "kind") {
        if (value == "metric")
          s.kind = SeriesKind::kMetric;
        else if (value == "traffic")
          s.kind = SeriesKind::kTraffic;
        else if (value == "errors")
          s.kind = SeriesKind::kErrors;
        else if (value == "latency")
          s.kind = SeriesKind::kLatency;
        else
          return Error(line, "kind: metric, traffic, errors or latency");
      } else if (key == "interval") {
        double sec;
        if (!ParseDuration(value, &sec) || sec <= 0) return Error(line, "interval: want a duration");
        s.interval_ns = static_cast<uint64_t>(std::llround(sec * 1e9));
      } else if (key == "start") {
        int64_t sec;
        if (!ParseInt(value, &sec) || sec < 0) return Error(line, "start: want Unix seconds");
        s.start_ns = static_cast<uint64_t>(sec) * 1'000'000'000;
      } else if (key == "sensitivity") {
        if (value == "low")
          s.sensitivity = Sensitivity::kLow;
        else if (value == "medium")
          s.sensitivity = Sensitivity::kMedium;
        else if (value == "high")
          s.sensitivity = Sensitivity::kHigh;
        else
          return Error(line, "sensitivity: low, medium or high");
      } else {
        return Error(line, "unknown series option '" + std::string(key) + "'");
      }
    }
    out->series.push_back(std::move(s));
    return Status::OK();
  }

  Status LoadLine(int line, std::string_view text, bool add, Series* s) {
    Load l;
    l.line = line;
    l.op = add ? Load::kAdd : Load::kSet;
    l.seed = static_cast<uint64_t>(line);
    text = Trim(text);
    text.remove_prefix(add ? 3 : 4);
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos || !ParseRange(Trim(text.substr(0, colon)), &l.from, &l.to)) {
      return Error(line, std::string("want '") + (add ? "add" : "load") + " A..B: ...'");
    }
    std::string_view body = Trim(text.substr(colon + 1));
    // A trailing seed=N belongs to the line, not the body.
    if (const size_t at = body.rfind("seed=");
        at != std::string_view::npos && (at == 0 || std::isspace(static_cast<unsigned char>(body[at - 1])))) {
      int64_t seed;
      if (!ParseInt(Trim(body.substr(at + 5)), &seed)) return Error(line, "seed: want an integer");
      l.seed = static_cast<uint64_t>(seed);
      body = Trim(body.substr(0, at));
    }
    std::string err;
    if (add || s->kind == SeriesKind::kMetric || s->kind == SeriesKind::kTraffic) {
      if (add && (s->kind == SeriesKind::kErrors || s->kind == SeriesKind::kLatency)) {
        return Error(line, "'add' works on metric and traffic series; use 'load' with new fields");
      }
      if (!ParseExpr(body, &l.value, &err)) return Error(line, err);
      s->loads.push_back(std::move(l));
      return Status::OK();
    }
    bool have_requests = false;
    for (std::string_view field : Words(body)) {
      const size_t eq = field.find('=');
      if (eq == std::string_view::npos) return Error(line, "want key=value, got '" + std::string(field) + "'");
      const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
      double sec = 0;
      if (key == "requests") {
        if (!ParseExpr(value, &l.value, &err)) return Error(line, "requests: " + err);
        have_requests = true;
      } else if (s->kind == SeriesKind::kErrors && key == "errors") {
        Expr e;
        if (!ParseExpr(value, &e, &err)) return Error(line, "errors: " + err);
        l.errors = e;
      } else if (s->kind == SeriesKind::kErrors && key == "error_rate") {
        if (!ParseDouble(value, &l.error_rate) || l.error_rate < 0 || l.error_rate > 1) {
          return Error(line, "error_rate: want a number in [0, 1]");
        }
      } else if (s->kind == SeriesKind::kLatency && key == "median") {
        if (!ParseDuration(value, &sec) || sec <= 0) return Error(line, "median: want a duration");
        l.median_ms = sec * 1000;
      } else if (s->kind == SeriesKind::kLatency && key == "sigma") {
        if (!ParseDouble(value, &l.sigma) || l.sigma < 0) return Error(line, "sigma: want a number >= 0");
      } else if (s->kind == SeriesKind::kLatency && key == "shift") {
        if (!ParseDuration(value, &sec)) return Error(line, "shift: want a duration");
        l.shift_ms = sec * 1000;
      } else {
        return Error(line, "unknown field '" + std::string(key) + "'");
      }
    }
    if (!have_requests) return Error(line, "want requests=...");
    if (s->kind == SeriesKind::kErrors && !l.errors && l.error_rate < 0) {
      return Error(line, "want errors=... or error_rate=...");
    }
    if (s->kind == SeriesKind::kLatency && l.median_ms <= 0) return Error(line, "want median=...");
    s->loads.push_back(std::move(l));
    return Status::OK();
  }

  Status ExpectLine(int line, std::string_view text, const std::vector<std::string_view>& w, Series* s) {
    Expect e;
    e.line = line;
    e.text = std::string(Trim(text));
    size_t i = 1;
    if (w.size() >= 3 && w[1] == "no" && w[2] == "anomaly") {
      e.type = Expect::kNoAnomaly;
      i = 3;
    } else if (w.size() >= 2 && w[1].starts_with("incidents=")) {
      e.type = Expect::kCount;
      if (!ParseInt(w[1].substr(10), &e.count) || e.count < 0) return Error(line, "incidents=N: want N >= 0");
      i = 2;
    } else if (w.size() >= 2 && w[1] == "anomaly") {
      e.type = Expect::kAnomaly;
      i = 2;
    } else {
      return Error(line, "want 'expect anomaly ...', 'expect no anomaly ...' or 'expect incidents=N ...'");
    }
    if (e.type != Expect::kAnomaly) {
      if (i < w.size()) {
        if (w[i] != "in" || i + 2 != w.size() || !ParseRange(w[i + 1], &e.in.lo, &e.in.hi)) {
          return Error(line, "want '... in A..B'");
        }
      }
      s->expects.push_back(std::move(e));
      return Status::OK();
    }
    for (; i < w.size(); ++i) {
      const std::string_view f = w[i];
      const auto field = [&](std::string_view name) {
        return f.starts_with(name) && f.size() > name.size() &&
               (f[name.size()] == '=' || f[name.size()] == '<' || f[name.size()] == '>');
      };
      if (f.starts_with("kind=")) {
        Kind k;
        if (!ParseKind(f.substr(5), &k)) return Error(line, "unknown kind '" + std::string(f.substr(5)) + "'");
        e.kind = k;
      } else if (f.starts_with("direction=")) {
        Direction d;
        if (!ParseDirection(f.substr(10), &d)) return Error(line, "direction: up or down");
        e.direction = d;
      } else if (f.starts_with("quantity=")) {
        bool found = false;
        for (int q = 0; q <= static_cast<int>(Quantity::kCount); ++q) {
          if (QuantityName(static_cast<Quantity>(q)) == f.substr(9)) {
            e.quantity = static_cast<Quantity>(q);
            found = true;
          }
        }
        if (!found) return Error(line, "unknown quantity '" + std::string(f.substr(9)) + "'");
      } else if (f.starts_with("score>=")) {
        double v;
        if (!ParseDouble(f.substr(7), &v)) return Error(line, "score>=X: want a number");
        e.min_score = v;
      } else if (field("onset") || field("raised") || field("ended")) {
        const size_t n = field("onset") ? 5 : field("raised") ? 6 : 5;
        std::optional<Range>& r = field("onset") ? e.onset : field("raised") ? e.raised : e.ended;
        if (!r) r = Range{};
        if (!ParseBound(f.substr(n), &*r)) return Error(line, "bad bound '" + std::string(f) + "'");
      } else {
        return Error(line, "unknown field '" + std::string(f) + "'");
      }
    }
    s->expects.push_back(std::move(e));
    return Status::OK();
  }

  std::string_view name_;
};

}  // namespace

bool ParseDuration(std::string_view text, double* seconds) {
  struct Unit {
    std::string_view suffix;
    double seconds;
  };
  static constexpr Unit kUnits[] = {{"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      const std::string_view num = text.substr(0, text.size() - u.suffix.size());
      // "10ms" must not be read as "10m" + "s".
      if (u.suffix == "s" && num.ends_with("m")) continue;
      double v;
      if (!ParseDouble(num, &v)) continue;
      *seconds = v * u.seconds;
      return true;
    }
  }
  return false;
}

StatusOr<Script> Parse(std::string_view name, std::string_view text) {
  Script out;
  Parser p(name);
  int line = 0;
  while (!text.empty()) {
    ++line;
    const size_t nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (const size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    if (Status s = p.Line(line, l, &out); !s.ok()) return s;
  }
  if (out.series.empty()) return Status::InvalidArgument(std::string(name) + ": no series");
  return out;
}

}  // namespace augur::detect::script
