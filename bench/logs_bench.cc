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

std::string Synthetic(Rng* r) {
  const std::string user = Word(r->Below(5000), 3);
  const std::string n = std::to_string(r->Below(100000));
  const std::string ms = std::to_string(r->Below(2000));
  const std::string ip = Ip(r);
  const std::string host = Word(r->Below(300), 4) + ".example.com";
  const std::string uuid = Hex(r, 8) + "-" + Hex(r, 4) + "-" + Hex(r, 4) + "-" + Hex(r, 4) + "-" + Hex(r, 12);
  switch (r->Below(24)) {
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
      for (const auto& s : per_system) {
        if (i < s.size()) messages.push_back(s[i]);
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
  return 0;
}
