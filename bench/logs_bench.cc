// logs_bench: speed and size of the log template miner.
//
//   logs_bench [--loghub-dir DIR] [--passes 32] [--synthetic 1000000] [--templates 100000]
//
// 1. Real messages: the Content of all 16 loghub-2k files (32,000 messages),
//    interleaved one system at a time, fed `passes` times through one miner
//    (the first pass creates the templates; later ones are the steady state
//    of a service whose messages recur with new values).
// 2. Synthetic stream: messages from 24 event formats with fresh values on
//    every record (numbers, IPs, host names, UUIDs, paths, and user names
//    drawn from 5,000 letter-only names, which defeat the shape cache).
// 3. Size: distinct templates (two words that differ per template) until the
//    miner holds `templates`; bytes per template from the process's resident
//    memory growth and from the miner's own estimate, and the cost of
//    creating a template among that many.
// 4. The whole log analysis (logs::LogAnalyzer: a miner per service, the
//    anomaly rules, kept lines): the real messages (one service per system)
//    and the synthetic stream (8 services, each logging three of the 24
//    formats; 5% WARN and 2% ERROR lines, trace ids on half, two attributes
//    each), as model::Batch of 1,024 records,
//    one millisecond of event time apart. Building the batches is not timed.
// CPU time is the process's (CLOCK_PROCESS_CPUTIME_ID), read here, never in
// the library. Output: one "name value unit" line per figure.

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "eval/loghub.h"
#include "logs/log_analyzer.h"
#include "logs/template_miner.h"

namespace {

namespace fs = std::filesystem;
namespace logs = augur::logs;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long ResidentKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// xorshift64*: a cheap deterministic stream.
struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  uint64_t Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

// A letter-only word for k (base 26, at least `min` letters): no digits, so
// the masker keeps it as a word.
std::string Word(uint64_t k, int min = 4) {
  std::string w;
  for (int i = 0; i < min || k > 0; ++i) {
    w.push_back(static_cast<char>('a' + k % 26));
    k /= 26;
  }
  return w;
}

std::string Ip(Rng* r) {
  return std::to_string(10 + r->Below(200)) + "." + std::to_string(r->Below(256)) + "." +
         std::to_string(r->Below(256)) + "." + std::to_string(r->Below(256));
}

std::string Hex(Rng* r, int digits) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s.push_back(kHex[r->Below(16)]);
  return s;
}

// One message of a random format (0..23, stored in *format when given).
std::string Synthetic(Rng* r, uint64_t* format = nullptr) {
  const std::string user = Word(r->Below(5000), 3);
  const std::string n = std::to_string(r->Below(100000));
  const std::string ms = std::to_string(r->Below(2000));
  const std::string ip = Ip(r);
  const std::string host = Word(r->Below(300), 4) + ".example.com";
  const std::string uuid = Hex(r, 8) + "-" + Hex(r, 4) + "-" + Hex(r, 4) + "-" + Hex(r, 4) + "-" + Hex(r, 12);
  const uint64_t f = r->Below(24);
  if (format != nullptr) *format = f;
  switch (f) {
    case 0: return "Accepted password for " + user + " from " + ip + " port " + n + " ssh2";
    case 1: return "Failed password for invalid user " + user + " from " + ip + " port " + n + " ssh2";
    case 2: return "session opened for user " + user + " by (uid=" + std::to_string(r->Below(2000)) + ")";
    case 3: return "GET /api/v1/items/" + n + " HTTP/1.1 200 " + ms + " " + ms + "ms";
    case 4:
      return "[instance: " + uuid + "] Took " + ms + "." + std::to_string(r->Below(100)) +
             " seconds to build instance.";
    case 5: return "Connection from " + host + ":" + n + " closed after " + n + " bytes";
    case 6: return "worker " + Hex(r, 12) + " finished job " + n + " in " + ms + "ms";
    case 7: return "eth0: link up, speed " + std::to_string(100 * (1 + r->Below(10))) + " Mbps, full duplex";
    case 8: return "Failed to open file /var/lib/app/data/" + Word(r->Below(1000)) + ".db: No such file or directory";
    case 9: return "user " + user + " logged in from " + host;
    case 10: return "cache miss for key user:" + n + ":profile ratio=0." + ms;
    case 11: return "Received block blk_" + std::to_string(r->Next() >> 2) + " of size " + n + " from /" + ip;
    case 12:
      return "PacketResponder " + std::to_string(r->Below(3)) + " for block blk_" + std::to_string(r->Next() >> 2) +
             " terminating";
    case 13: return "Scheduled task " + Word(r->Below(40)) + "-sync completed in " + ms + " ms with status OK";
    case 14: return "HikariPool-1 - Connection " + Hex(r, 8) + " marked as broken because of SQLSTATE(08S01)";
    case 15:
      return "order " + uuid + " paid amount=" + n + "." + std::to_string(r->Below(100)) +
             " currency=EUR customer=" + user;
    case 16:
      return "kafka consumer group payments rebalanced partitions=[" + std::to_string(r->Below(12)) + "," +
             std::to_string(r->Below(12)) + "] generation " + n;
    case 17: return "GC pause (G1 Evacuation Pause) " + ms + "M->" + ms + "M(4096M) " + ms + "." + ms + "ms";
    case 18:
      return "upstream timed out (110: Connection timed out) while reading response header from upstream, client: " +
             ip + ", server: " + host;
    case 19:
      return "Retrying request to " + host + " attempt " + std::to_string(r->Below(5)) + " of 5 after " + ms + "ms";
    case 20:
      return "pod " + Word(r->Below(50)) + "-" + Hex(r, 10) + "-" + Hex(r, 5) + " container app restarted (exit code " +
             std::to_string(r->Below(140)) + ")";
    case 21: return "checkpoint complete: wrote " + n + " buffers (" + ms + "." + ms + "%); 0 WAL file(s) added";
    case 22:
      return "Disk usage on /dev/sda" + std::to_string(1 + r->Below(3)) + " is " + std::to_string(r->Below(100)) + "%";
    default:
      return "audit: user=" + user + " action=" + Word(r->Below(8)) + " resource=/projects/" + Word(r->Below(200)) +
             " result=allowed";
  }
}

struct Run {
  uint64_t records = 0;
  double cpu_s = 0;
};

void Report(const char* name, const Run& run, const logs::TemplateMiner& m) {
  std::printf("%s_records %llu records\n", name, static_cast<unsigned long long>(run.records));
  std::printf("%s_records_per_cpu_second %.0f records/s\n", name, run.records / run.cpu_s);
  std::printf("%s_ns_per_record %.0f ns\n", name, run.cpu_s * 1e9 / run.records);
  std::printf("%s_templates %zu templates\n", name, m.size());
  std::printf("%s_cache_hit_share %.3f share\n", name,
              static_cast<double>(m.stats().cache_hits) / static_cast<double>(m.stats().records));
}

// Feeds records through a LogAnalyzer in batches of 1,024; `next(i, record)`
// fills record i (body, severity, ids) and returns its service index.
template <typename Next>
void RunAnalyzer(const char* name, uint64_t records, size_t services, Next next) {
  logs::LogAnalyzer analyzer;
  augur::model::Batch batch;
  for (size_t k = 0; k < services; ++k) {
    batch.resources.push_back(augur::model::Resource{{}, "service-" + std::to_string(k), ""});
  }
  std::vector<augur::model::Anomaly> anomalies;
  size_t raised = 0;
  double cpu = 0;
  const uint64_t t0 = 1'700'000'000'000'000'000ULL;
  for (uint64_t done = 0; done < records;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(1024, records - done));
    batch.logs.resize(n);
    for (size_t i = 0; i < n; ++i) {
      augur::model::LogRecord& r = batch.logs[i];
      r.time_unix_nano = t0 + (done + i) * 1'000'000ULL;
      r.resource_index = static_cast<uint32_t>(next(done + i, &r));
    }
    const double start = CpuSeconds();
    analyzer.Add(batch);
    analyzer.TakeAnomalies(&anomalies);
    cpu += CpuSeconds() - start;
    raised += anomalies.size();
    anomalies.clear();
    done += n;
  }
  const auto st = analyzer.stats();
  std::printf("analyzer_%s_records %llu records\n", name, static_cast<unsigned long long>(records));
  std::printf("analyzer_%s_records_per_cpu_second %.0f records/s\n", name, records / cpu);
  std::printf("analyzer_%s_ns_per_record %.0f ns\n", name, cpu * 1e9 / records);
  std::printf("analyzer_%s_templates %llu templates\n", name, static_cast<unsigned long long>(st.templates));
  std::printf("analyzer_%s_anomaly_events %zu events (%llu raised)\n", name, raised,
              static_cast<unsigned long long>(st.anomalies_raised));
  std::printf("analyzer_%s_memory_mb %.1f MB (estimate)\n", name, analyzer.MemoryBytes() / 1e6);
  std::printf("analyzer_%s_state_mb %.1f MB\n", name, analyzer.SaveState().size() / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"log template miner: speed and size"};
  fs::path loghub_dir;
  int passes = 32;
  uint64_t synthetic = 1'000'000;
  size_t templates = 100'000;
  app.add_option("--loghub-dir", loghub_dir, "loghub_2k directory; the real-message run is skipped without it");
  app.add_option("--passes", passes, "passes over the 32,000 loghub messages");
  app.add_option("--synthetic", synthetic, "records in the synthetic stream");
  app.add_option("--templates", templates, "templates for the size run");
  CLI11_PARSE(app, argc, argv);

  // 1. Real messages.
  std::vector<std::pair<size_t, std::string>> real;  // (system, message), interleaved
  if (!loghub_dir.empty() && fs::exists(loghub_dir)) {
    std::vector<std::vector<std::string>> per_system;
    for (const std::string& system : augur::eval::LoghubSystems()) {
      auto lines = augur::eval::ReadLoghubStructured(augur::eval::LoghubStructuredPath(loghub_dir, system));
      if (!lines.ok()) {
        std::fprintf(stderr, "logs_bench: %s\n", lines.status().ToString().c_str());
        return 1;
      }
      per_system.emplace_back();
      for (auto& l : *lines) per_system.back().push_back(std::move(l.content));
    }
    std::vector<std::string> messages;
    for (size_t i = 0; i < 2000; ++i) {
      for (size_t k = 0; k < per_system.size(); ++k) {
        if (i < per_system[k].size()) {
          messages.push_back(per_system[k][i]);
          real.emplace_back(k, per_system[k][i]);
        }
      }
    }
    logs::TemplateMiner miner;
    Run run;
    const double start = CpuSeconds();
    int64_t t = 0;
    for (int p = 0; p < passes; ++p) {
      for (const std::string& m : messages) miner.Add(m, t++);
    }
    run.cpu_s = CpuSeconds() - start;
    run.records = static_cast<uint64_t>(t);
    Report("loghub", run, miner);
  }

  // 2. Synthetic stream with fresh values.
  {
    Rng rng;
    std::vector<std::string> batch(4096);
    logs::TemplateMiner miner;
    Run run;
    double cpu = 0;
    for (uint64_t done = 0; done < synthetic;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(batch.size(), synthetic - done));
      for (size_t i = 0; i < n; ++i) batch[i] = Synthetic(&rng);  // generation is not timed
      const double start = CpuSeconds();
      for (size_t i = 0; i < n; ++i) miner.Add(batch[i], static_cast<int64_t>(done + i));
      cpu += CpuSeconds() - start;
      done += n;
    }
    run.cpu_s = cpu;
    run.records = synthetic;
    Report("synthetic", run, miner);
  }

  // 3. Size at `templates` templates.
  {
    logs::MinerOptions o;
    o.max_templates = templates;
    const long rss_before = ResidentKiB();
    logs::TemplateMiner miner(o);
    Rng rng;
    const double start = CpuSeconds();
    for (uint64_t k = 0; miner.size() < templates; ++k) {
      // Two words that differ per template, so no two are one value apart.
      const std::string line = "service " + Word(k) + " reported state " + Word(k * 7919 + 13) + " after " +
                               std::to_string(rng.Below(1000)) + " ms on " + Ip(&rng);
      miner.Add(line, static_cast<int64_t>(k));
    }
    const double cpu = CpuSeconds() - start;
    const long rss_after = ResidentKiB();
    std::printf("size_templates %zu templates\n", miner.size());
    std::printf("size_bytes_per_template_rss %.0f bytes\n",
                static_cast<double>(rss_after - rss_before) * 1024.0 / static_cast<double>(miner.size()));
    std::printf("size_bytes_per_template_estimate %.0f bytes\n",
                static_cast<double>(miner.MemoryBytes()) / static_cast<double>(miner.size()));
    std::printf("size_state_bytes_per_template %.0f bytes\n",
                static_cast<double>(miner.SaveState().size()) / static_cast<double>(miner.size()));
    std::printf("size_us_per_new_template %.1f us\n", cpu * 1e6 / static_cast<double>(miner.size()));
    std::printf("size_rss_mb %.1f MB\n", static_cast<double>(rss_after) / 1024.0);
    // Matching among that many templates: the same messages again.
    Rng again;
    const double start2 = CpuSeconds();
    const uint64_t n = std::min<uint64_t>(templates, 200'000);
    for (uint64_t k = 0; k < n; ++k) {
      const std::string line = "service " + Word(k) + " reported state " + Word(k * 7919 + 13) + " after " +
                               std::to_string(again.Below(1000)) + " ms on " + Ip(&again);
      miner.Add(line, static_cast<int64_t>(k));
    }
    std::printf("size_ns_per_match_at_full %.0f ns (message building included)\n",
                (CpuSeconds() - start2) * 1e9 / static_cast<double>(n));
  }

  // 4. The whole log analysis.
  if (!real.empty()) {
    RunAnalyzer("loghub", real.size() * static_cast<uint64_t>(passes), 16, [&](uint64_t i, augur::model::LogRecord* r) {
      const auto& [system, message] = real[i % real.size()];
      r->body.value = message;
      r->severity_number = 9;
      return system;
    });
  }
  {
    Rng rng;
    RunAnalyzer("synthetic", synthetic, 8, [&](uint64_t i, augur::model::LogRecord* r) {
      uint64_t format = 0;
      r->body.value = Synthetic(&rng, &format);
      const uint64_t roll = rng.Below(100);
      r->severity_number = roll < 2 ? 17 : roll < 7 ? 13 : 9;
      r->trace_id = {};
      if (i % 2 == 0) {
        for (size_t b = 0; b < 8; ++b) r->trace_id[b] = static_cast<uint8_t>(rng.Next());
      }
      r->attributes = {{"thread.name", augur::model::AnyValue{std::string("worker-1")}},
                       {"code.function", augur::model::AnyValue{std::string("handle")}}};
      return format % 8;  // each service logs three of the formats
    });
  }
  return 0;
}
