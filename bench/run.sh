#!/usr/bin/env bash
# bench/run.sh: the one entry point for augur's benchmarks.
#
# Each benchmark builds what it needs (Release, in build-bench/), runs, prints
# details, and prints its headline figures on its LAST line as
# "<benchmark> key=value ...", so scripts can `tail -n1`. Works from any cwd.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${AUGUR_BENCH_BUILD_DIR:-$ROOT/build-bench}

usage() {
  cat <<EOF
usage: bench/run.sh <benchmark>

benchmarks:
  ingest   OTLP/HTTP trace ingest into a fresh data dir.
           Last line: ingest spans_per_cpu_second=<N> p99_ms=<N> peak_rss_mb=<N>
           spans_per_cpu_second = spans accepted (HTTP 200, durably stored)
           / CPU seconds (user+sys) augur used during the timed run;
           p99_ms = client-side round trip of the accepted requests;
           peak_rss_mb = augur's VmHWM.
           Environment (defaults in brackets):
             INGEST_DURATION     timed run, seconds [20]
             INGEST_WARMUP       warm-up before it, seconds [5]
             INGEST_CONNECTIONS  client connections, one thread each [2]
             INGEST_BATCH        spans per request [512]
             INGEST_GZIP         share of requests gzip-compressed, 0..1 [0.5]
             INGEST_POOL         request bodies built up front; each send updates times and ids [64]
             INGEST_PERF_DATA    when set, \`perf record\` augur during the timed run into this file
             INGEST_AUGUR        run this augur binary instead of building one (to compare builds
                                 under the same load: alternate runs of each)

  nab      augur's production metric detector on every NAB series, scored
           by the project's NAB scorer (which reproduces Numenta's 70.10).
           Last line: nab standard=<x> reward_low_FP_rate=<y> reward_low_FN_rate=<z>
  detect   detector update cost and state size, with 1M series.
           Last line: detect ns_per_point=<N> bytes_per_series=<N>
  loghub   the log template miner on loghub-2k (16 systems x 2,000 lines), one
           set of settings for all, scored like the published parsers.
           Last line: loghub ga=<avg> f1=<avg> pa=<avg>
  logs     log template miner speed and size: real loghub messages replayed,
           a synthetic stream with fresh values, and 100k templates; then the
           same two streams through the whole log analysis (logs::LogAnalyzer).
           Last line: logs records_per_cpu_second=<N> bytes_per_template=<N> analyzer_records_per_cpu_second=<N>
           records_per_cpu_second = the slower of the two streams (miner alone);
           bytes_per_template = resident memory growth / templates, at 100k;
           analyzer_records_per_cpu_second = the slower stream through LogAnalyzer.
  bgl      BGL's alert labels against the log anomalies (loghub-2k BGL).
           Last line: bgl alert_line_recall=<x> pattern_recall=<y> categories=<a>/<b> anomalies=<n> false=<m>
           Environment: BGL_VERBOSE=1 prints every anomaly and the lines it covered.
  ttd      time to detect the article's latency fault (a deployment sets
           INJECT_LATENCY=true on the writer function) over many seeds, and
           false anomalies on healthy data, through analysis::Analyzer.
           Last line: ttd median_s=<x> p99_s=<y> detected=<share> false_per_1000_series_days=<z>
           Environment (defaults in brackets):
             TTD_SEEDS         fault runs, one seed each [50]
             TTD_HEALTHY_DAYS  days of healthy data in all [70]
             TTD_ARGS          more arguments for bench/ttd (see bench/ttd.cc)

  nezha    root-cause ranking on Nezha's TrainTicket faults (FSE 2023): the data
           set's traces, logs and metrics as OTel SDKs would export them, through
           engine::Engine, online: each of the 45 faults is judged by an engine
           that learned its day in time order up to the fault's window (never
           from later data), scored by AS@k at service level.
           Last line: nezha as1=<x> as3=<y> as5=<z> (percent)
           Environment (defaults in brackets):
             AUGUR_NEZHA_ARCHIVE  the data set [$ROOT/../shared/data/nezha/trainticket.tar.zst]
             AUGUR_NEZHA_DIR      where it is unpacked, once, outside the repository [\${TMPDIR:-/tmp}/augur-nezha]
             NEZHA_ARGS           more arguments for bench/nezha_run (--verbose, --fault K, --sensitivity ...)

  AUGUR_LOGHUB_DIR        loghub-2k data [$ROOT/../shared/data/loghub/loghub_2k]
  AUGUR_BENCH_BUILD_DIR   build directory [$ROOT/build-bench]
  AUGUR_BENCH_CMAKE_ARGS  extra CMake arguments, split on spaces (cached in the build directory)
EOF
}

log() { echo "$*" >&2; }
die() {
  log "bench/run.sh: $*"
  exit 1
}

# build TARGET...: a Release build of the given targets; output only on failure.
build() {
  local out
  local extra=()
  read -r -a extra <<<"${AUGUR_BENCH_CMAKE_ARGS:-}"
  if ! out=$(cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAUGUR_BUILD_TESTS=OFF "${extra[@]}" 2>&1 &&
    ninja -C "$BUILD_DIR" "$@" 2>&1); then
    echo "$out" >&2
    die "build of $* failed"
  fi
}

# cpu_ticks PID: user+system CPU time of the whole process (all threads), in clock ticks.
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  # Fields after the command name, which is in parentheses and may hold spaces:
  # state is field 3, utime 14, stime 15.
  read -r -a f <<<"${stat##*) }"
  echo $((f[11] + f[12]))
}

# write_bytes PID: bytes the process caused to be sent to storage (page-cache writeback included).
write_bytes() { awk '/^write_bytes:/ {print $2}' "/proc/$1/io"; }

# ---------------------------------------------------------------------------
# augur lifecycle, shared by the benchmarks that need a running server.

AUGUR_PID=""
WORK_DIR=""

cleanup() {
  if [[ -n "$AUGUR_PID" ]] && kill -0 "$AUGUR_PID" 2>/dev/null; then
    kill -TERM "$AUGUR_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$AUGUR_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$AUGUR_PID" 2>/dev/null || true
  fi
  if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# listen_addr NAME: HOST:PORT from augur's "NAME listening on HOST:PORT" log line.
listen_addr() {
  grep -oE "$1 listening on [^ ]+" "$WORK_DIR/augur.log" | head -n1 | awk '{print $4}' | tr -d '",;'
}

# start_augur: serves on a fresh data dir with kernel-chosen ports; sets
# AUGUR_PID, OTLP_HTTP_ADDR and API_ADDR.
start_augur() {
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/augur-bench.XXXXXX")
  "${AUGUR_BIN:-$BUILD_DIR/augur}" serve --data-dir "$WORK_DIR/data" --otlp-grpc-addr 127.0.0.1:0 \
    --otlp-http-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 2>"$WORK_DIR/augur.log" &
  AUGUR_PID=$!
  for _ in $(seq 300); do
    grep -q "augur ready" "$WORK_DIR/augur.log" && break
    kill -0 "$AUGUR_PID" 2>/dev/null || {
      cat "$WORK_DIR/augur.log" >&2
      die "augur exited during startup"
    }
    sleep 0.1
  done
  grep -q "augur ready" "$WORK_DIR/augur.log" || die "augur not ready after 30 s"
  OTLP_HTTP_ADDR=$(listen_addr otlp_http)
  API_ADDR=$(listen_addr api)
  [[ -n "$OTLP_HTTP_ADDR" && -n "$API_ADDR" ]] || {
    cat "$WORK_DIR/augur.log" >&2
    die "no listening addresses in augur's log"
  }
}

# kv FILE KEY: the value of KEY in a key=value file.
kv() { sed -n "s/^$2=//p" "$1" | head -n1; }

# ---------------------------------------------------------------------------

bench_ingest() {
  local duration=${INGEST_DURATION:-20} warmup=${INGEST_WARMUP:-5} connections=${INGEST_CONNECTIONS:-2}
  local batch=${INGEST_BATCH:-512} gzip=${INGEST_GZIP:-0.5} pool=${INGEST_POOL:-64}

  if [[ -n "${INGEST_AUGUR:-}" ]]; then
    [[ -x "$INGEST_AUGUR" ]] || die "INGEST_AUGUR=$INGEST_AUGUR is not an executable"
    log "ingest: building otlp_load (Release, $BUILD_DIR); augur is $INGEST_AUGUR"
    build otlp_load
    AUGUR_BIN=$INGEST_AUGUR
  else
    log "ingest: building augur and otlp_load (Release, $BUILD_DIR)"
    build augur otlp_load
  fi
  start_augur
  log "ingest: augur pid $AUGUR_PID, otlp_http $OTLP_HTTP_ADDR, api $API_ADDR"

  local load=("$BUILD_DIR/bench/otlp_load" --target "$OTLP_HTTP_ADDR" --connections "$connections"
    --batch "$batch" --gzip "$gzip" --pool "$pool")
  log "ingest: warm-up ${warmup}s"
  "${load[@]}" --duration "$warmup" --seed 2 >"$WORK_DIR/warmup.txt" || {
    cat "$WORK_DIR/warmup.txt" >&2
    die "warm-up failed"
  }

  log "ingest: timed run ${duration}s"
  local perf_pid=""
  if [[ -n "${INGEST_PERF_DATA:-}" ]]; then
    # cpu-clock is a software event, so this works in VMs without hardware counters;
    # DWARF call graphs because the Release build has no frame pointers.
    perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -p "$AUGUR_PID" -o "$INGEST_PERF_DATA" 2>"$WORK_DIR/perf.log" &
    perf_pid=$!
  fi
  local ticks_before ticks_after wbytes_before wbytes_after
  ticks_before=$(cpu_ticks "$AUGUR_PID")
  wbytes_before=$(write_bytes "$AUGUR_PID")
  "${load[@]}" --duration "$duration" --seed 1 >"$WORK_DIR/load.txt" || {
    cat "$WORK_DIR/load.txt" >&2
    die "timed run failed"
  }
  ticks_after=$(cpu_ticks "$AUGUR_PID")
  wbytes_after=$(write_bytes "$AUGUR_PID")
  if [[ -n "$perf_pid" ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" || true
    log "ingest: perf profile in $INGEST_PERF_DATA (perf report -i $INGEST_PERF_DATA)"
  fi
  local rss_kb
  rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$AUGUR_PID/status")
  curl -fsS "http://$API_ADDR/metrics" >"$WORK_DIR/metrics.txt" 2>/dev/null || true

  local r="$WORK_DIR/load.txt"
  local accepted ticks=$((ticks_after - ticks_before)) hz
  accepted=$(kv "$r" spans_accepted)
  hz=$(getconf CLK_TCK)
  ((ticks > 0)) || die "augur used no measurable CPU"
  local cpu_s
  cpu_s=$(awk -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}')

  echo "ingest: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)${INGEST_AUGUR:+, augur $INGEST_AUGUR}"
  echo "ingest: connections=$connections batch_spans=$batch gzip_share=$(kv "$r" gzip_share) pool_bodies=$pool" \
    "body_bytes_plain=$(kv "$r" body_bytes_plain) body_bytes_gzip=$(kv "$r" body_bytes_gzip)"
  echo "ingest: duration_s=$(kv "$r" duration_s) requests=$(kv "$r" requests) retries_429=$(kv "$r" retries)" \
    "errors=$(kv "$r" errors) abandoned_at_end=$(kv "$r" abandoned) spans_sent=$(kv "$r" spans_sent) spans_accepted=$accepted"
  echo "ingest: wall spans_per_s=$(kv "$r" spans_per_s) mb_sent_per_s=$(kv "$r" mb_sent_per_s)" \
    "p50_ms=$(kv "$r" p50_ms) max_ms=$(kv "$r" max_ms) export_p99_ms=$(kv "$r" export_p99_ms) (backoff included)" \
    "client_prep_cpu_s=$(kv "$r" client_prep_cpu_s)"
  echo "ingest: augur cpu_s=$cpu_s cores_busy=$(awk -v c="$cpu_s" -v d="$(kv "$r" duration_s)" 'BEGIN {printf "%.2f", c / d}')" \
    "disk_write_mb=$(awk -v b=$((wbytes_after - wbytes_before)) 'BEGIN {printf "%.0f", b / 1e6}')" \
    "disk_bytes_per_span=$(awk -v b=$((wbytes_after - wbytes_before)) -v a="$accepted" 'BEGIN {printf "%.0f", a ? b / a : 0}')"
  if [[ -s "$WORK_DIR/metrics.txt" ]]; then
    grep -E '^augur_(items_[a-z]+_total\{signal="traces",protocol="http"\}|store_[a-z_]+(_sum|_count|_total|_bytes)? )' \
      "$WORK_DIR/metrics.txt" | sed 's/^/ingest: metric /' || true
  fi
  local first_error
  first_error=$(kv "$r" first_error)
  [[ -z "$first_error" ]] || echo "ingest: WARNING $(kv "$r" errors) failed requests, first: $first_error"

  echo "ingest spans_per_cpu_second=$(awk -v a="$accepted" -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.0f", a * hz / t}')" \
    "p99_ms=$(kv "$r" p99_ms) peak_rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')"
}

# NAB data lives beside the repository (../shared/data), never inside it.
NAB_DIR=${AUGUR_NAB_DIR:-$ROOT/../shared/data/nab}

bench_nab() {
  [[ -d "$NAB_DIR/data" ]] || die "no NAB data at $NAB_DIR (set AUGUR_NAB_DIR)"
  build nab_run nab_score
  local out
  out=$(mktemp -d)
  trap 'rm -rf "$out"' RETURN
  # The scorer names the detector after the results directory.
  "$BUILD_DIR/bench/nab_run" --nab-dir "$NAB_DIR" --out "$out/augur" >&2
  "$BUILD_DIR/bench/nab_score" --nab-dir "$NAB_DIR" --results-dir "$out/augur"
}

bench_detect() {
  build detect_bench
  local r
  r=$("$BUILD_DIR/bench/detect_bench")
  echo "$r"
  echo "detect ns_per_point=$(awk '/^many_series /{for (i = 1; i <= NF; i++) if ($i == "ns/point") print $(i - 1)}' <<<"$r")" \
    "bytes_per_series=$(awk '/^many_series_rss /{print $2}' <<<"$r")"
}

bench_ttd() {
  build ttd
  local extra=()
  read -r -a extra <<<"${TTD_ARGS:-}"
  "$BUILD_DIR/bench/ttd" --seeds "${TTD_SEEDS:-50}" --healthy-days "${TTD_HEALTHY_DAYS:-70}" "${extra[@]}"
}

# loghub-2k lives beside the repository (../shared/data), never inside it.
LOGHUB_DIR=${AUGUR_LOGHUB_DIR:-$ROOT/../shared/data/loghub/loghub_2k}

bench_loghub() {
  [[ -d "$LOGHUB_DIR/HDFS" ]] || die "no loghub data at $LOGHUB_DIR (set AUGUR_LOGHUB_DIR)"
  build loghub_run
  "$BUILD_DIR/bench/loghub_run" --loghub-dir "$LOGHUB_DIR"
}

bench_logs() {
  build logs_bench
  local r args=()
  if [[ -d "$LOGHUB_DIR/HDFS" ]]; then
    args=(--loghub-dir "$LOGHUB_DIR")
  else
    log "logs: no loghub data at $LOGHUB_DIR; synthetic stream only"
  fi
  r=$("$BUILD_DIR/bench/logs_bench" "${args[@]}")
  echo "$r"
  echo "logs records_per_cpu_second=$(awk '/^[a-z]+_records_per_cpu_second /{if (min == "" || $2 < min) min = $2} END {print min}' <<<"$r")" \
    "bytes_per_template=$(awk '/^size_bytes_per_template_rss /{print $2}' <<<"$r")" \
    "analyzer_records_per_cpu_second=$(awk '/^analyzer_[a-z]+_records_per_cpu_second /{if (min == "" || $2 < min) min = $2} END {print min}' <<<"$r")"
}

bench_bgl() {
  [[ -f "$LOGHUB_DIR/BGL/BGL_2k.log" ]] || die "no BGL data at $LOGHUB_DIR/BGL (set AUGUR_LOGHUB_DIR)"
  build bgl_alerts
  "$BUILD_DIR/bench/bgl_alerts" --bgl-log "$LOGHUB_DIR/BGL/BGL_2k.log" ${BGL_VERBOSE:+--verbose}
}

# Nezha's TrainTicket data: an archive beside the repository (../shared/data),
# unpacked once into a cache outside it (never into the repository).
NEZHA_ARCHIVE=${AUGUR_NEZHA_ARCHIVE:-$ROOT/../shared/data/nezha/trainticket.tar.zst}
NEZHA_DIR=${AUGUR_NEZHA_DIR:-${TMPDIR:-/tmp}/augur-nezha}

bench_nezha() {
  case "$(realpath -m "$NEZHA_DIR")/" in
    "$ROOT"/*) die "AUGUR_NEZHA_DIR must be outside the repository (the data set is not ours to commit)" ;;
  esac
  if [[ ! -d "$NEZHA_DIR/rca_data" ]]; then
    [[ -f "$NEZHA_ARCHIVE" ]] || die "no Nezha data at $NEZHA_DIR and no archive at $NEZHA_ARCHIVE (set AUGUR_NEZHA_DIR or AUGUR_NEZHA_ARCHIVE)"
    log "nezha: unpacking $NEZHA_ARCHIVE into $NEZHA_DIR"
    # Into a fresh directory first, so an interrupted unpack is never taken for the data.
    local partial="$NEZHA_DIR.partial.$$"
    rm -rf "$partial"
    mkdir -p "$partial"
    tar --zstd -xf "$NEZHA_ARCHIVE" -C "$partial" || {
      rm -rf "$partial"
      die "cannot unpack $NEZHA_ARCHIVE"
    }
    rm -rf "$NEZHA_DIR"
    mv "$partial" "$NEZHA_DIR"
  fi
  build nezha_run
  local extra=()
  read -r -a extra <<<"${NEZHA_ARGS:-}"
  "$BUILD_DIR/bench/nezha_run" --nezha-dir "$NEZHA_DIR" "${extra[@]}"
}

case "${1:-}" in
  ingest) bench_ingest ;;
  nab) bench_nab ;;
  detect) bench_detect ;;
  loghub) bench_loghub ;;
  logs) bench_logs ;;
  bgl) bench_bgl ;;
  ttd) bench_ttd ;;
  nezha) bench_nezha ;;
  -h | --help | help)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
