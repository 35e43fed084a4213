#!/usr/bin/env bash
# Tollgate load benchmark: one command, four paths, everything on 127.0.0.1.
#
#   (a) client -> nginx canned upstream                      (the upstream alone)
#   (b) client -> nginx reverse proxy -> canned upstream     (the floor for one extra hop)
#   (c) client -> Tollgate -> canned upstream                (auth, routing, usage recording)
#   (d) client -> Tollgate -> 3 canned upstreams, weighted   (the same, routing over 3 deployments)
#
# for a non-streaming chat completion (JSON) and a streaming one (SSE), under saturation (wrk) and at
# fixed request rates (hey), plus sequential time-to-first-byte of the stream (curl) and Tollgate's
# peak RSS. Results go to bench/out/results-<timestamp>.md and to stdout. See bench/README.md.
#
# Usage: bench/run.sh [--quick]
# Environment (defaults in brackets; --quick shortens the durations):
#   DURATION        seconds per wrk run [15; quick 5]
#   WARMUP          seconds of wrk warm-up against each Tollgate path per request kind [10; quick 3]
#   FIXED_DURATION  seconds per hey run [15; quick 5]
#   CONNECTIONS     wrk connection counts, space separated ["64 256"]
#   THREADS         wrk threads [2]
#   RATES           hey target total request rates, space separated ["1000 4000"]
#   HEY_WORKERS     hey concurrent workers; per-worker rate = rate / workers [50]
#   TTFB_REQUESTS   sequential curl requests per path for the stream TTFB [500; quick 50]
#   KINDS           which request kinds to run ["json stream"]
#   PATHS           which paths to run, a subset of "a b c d" ["a b c d"]
#   WEIGHTS         the weights of path (d)'s three deployments ["3 2 1"]
#   NGINX_WORKERS   nginx worker_processes [auto]
#   TOLLGATE_EVENT_LOOPS  Tollgate server.event_loops, 0 = one per core [0]
#   TOLLGATE_HEAP   Tollgate -Xmx (read by bin/tollgate) [384m]
#   TOLLGATE_HOME   the checkout whose bin/tollgate and target/tollgate.jar run (built there when stale) [this one]
#   EXTRA_YAML      a file appended to the generated bench.yaml (e.g. budgets, limits) [none]
#   RESULTS_TSV     also write the figures to this file, one tab-separated line per measurement [none]
#   JAVA_HOME       JDK 25 [/usr/lib/jvm/temurin-25-jdk-amd64]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LIB="$BENCH_DIR/lib"
OUT="$BENCH_DIR/out"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$QUICK" = 1 ]; then
  DURATION="${DURATION:-5}"; WARMUP="${WARMUP:-3}"; FIXED_DURATION="${FIXED_DURATION:-5}"
  TTFB_REQUESTS="${TTFB_REQUESTS:-50}"
else
  DURATION="${DURATION:-15}"; WARMUP="${WARMUP:-10}"; FIXED_DURATION="${FIXED_DURATION:-15}"
  TTFB_REQUESTS="${TTFB_REQUESTS:-500}"
fi
CONNECTIONS="${CONNECTIONS:-64 256}"
THREADS="${THREADS:-2}"
RATES="${RATES:-1000 4000}"
HEY_WORKERS="${HEY_WORKERS:-50}"
KINDS="${KINDS:-json stream}"
PATHS="${PATHS:-a b c d}"
WEIGHTS="${WEIGHTS:-3 2 1}"
NGINX_WORKERS="${NGINX_WORKERS:-auto}"
TOLLGATE_EVENT_LOOPS="${TOLLGATE_EVENT_LOOPS:-0}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
BUILD_ATTEMPTS="${BUILD_ATTEMPTS:-5}"          # the jar build is retried (sources may be mid-edit)
BUILD_RETRY_WAIT="${BUILD_RETRY_WAIT:-60}"
START_TIMEOUT="${START_TIMEOUT:-600}"          # seconds for Tollgate to become ready (may include a build)
TOLLGATE_HOME="$(cd "${TOLLGATE_HOME:-$ROOT}" && pwd)"
EXTRA_YAML="${EXTRA_YAML:-}"
RESULTS_TSV="${RESULTS_TSV:-}"
[ -z "$EXTRA_YAML" ] || [ -r "$EXTRA_YAML" ] || { echo "run.sh: EXTRA_YAML '$EXTRA_YAML' is not a readable file" >&2; exit 2; }
[ -x "$TOLLGATE_HOME/bin/tollgate" ] || { echo "run.sh: no bin/tollgate under TOLLGATE_HOME=$TOLLGATE_HOME" >&2; exit 2; }

for v in DURATION WARMUP FIXED_DURATION TTFB_REQUESTS THREADS HEY_WORKERS TOLLGATE_EVENT_LOOPS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "run.sh: $v must be a whole number, got '${!v}'" >&2; exit 2; }
done
for c in $CONNECTIONS; do
  [[ "$c" =~ ^[0-9]+$ ]] && [ "$c" -ge "$THREADS" ] || { echo "run.sh: CONNECTIONS entries must be numbers >= THREADS" >&2; exit 2; }
done
for r in $RATES; do
  [[ "$r" =~ ^[0-9]+$ ]] && [ "$r" -gt 0 ] || { echo "run.sh: RATES entries must be positive numbers" >&2; exit 2; }
done
for p in $PATHS; do
  case "$p" in a | b | c | d) ;; *) echo "run.sh: PATHS entries must be a, b, c or d, got '$p'" >&2; exit 2 ;; esac
done
[ -n "${PATHS// /}" ] || { echo "run.sh: PATHS is empty" >&2; exit 2; }
read -r -a W <<<"$WEIGHTS"
[ "${#W[@]}" = 3 ] || { echo "run.sh: WEIGHTS needs three numbers, got '$WEIGHTS'" >&2; exit 2; }
for w in "${W[@]}"; do
  [[ "$w" =~ ^[0-9]+$ ]] && [ "$w" -gt 0 ] || { echo "run.sh: WEIGHTS entries must be positive numbers" >&2; exit 2; }
done
has_path() { case " $PATHS " in *" $1 "*) return 0 ;; esac; return 1; }
is_tg() { [ "$1" = c ] || [ "$1" = d ]; } # the paths through Tollgate

TS="$(date +%Y%m%d-%H%M%S)"
RAW="$OUT/raw-$TS"
RESULTS="$OUT/results-$TS.md"
mkdir -p "$OUT" "$RAW"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------
# Cleanup: whatever happens, stop what we started (by pid / our own process groups only).
NGINX_PID=""
TG_PID=""
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$TG_PID" ] && kill -0 "$TG_PID" 2>/dev/null; then
    log "stopping Tollgate (pid $TG_PID)"
    kill -TERM -- "-$TG_PID" 2>/dev/null || kill -TERM "$TG_PID" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$TG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$TG_PID" 2>/dev/null
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    log "stopping nginx (pid $NGINX_PID)"
    kill -TERM -- "-$NGINX_PID" 2>/dev/null || kill -TERM "$NGINX_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$NGINX_PID" 2>/dev/null
  fi
  wait 2>/dev/null
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------------
# Tools
install_tools() {
  local missing=() c
  for c in nginx wrk hey curl jq; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run as root"
  log "installing ${missing[*]} with apt-get"
  timeout 600 apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq nginx wrk hey curl jq iproute2 >&2 \
    || die "apt-get install failed"
}
install_tools
[ -x "$JAVA_HOME/bin/java" ] || die "no JDK at JAVA_HOME=$JAVA_HOME (a JDK 25 is needed)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------------------------------------------
# CPU accounting, to tell whether other processes competed with the benchmark: busy = user+nice+system
# jiffies of the whole machine (interrupt time is left out: it is not charged to processes either).
HZ="$(getconf CLK_TCK)"
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4; exit}' /proc/stat; }
proc_cpu() { # jiffies used by the given pids (those still alive)
  local t=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
ours_cpu() { # sets OURS_CPU: jiffies of Tollgate, nginx (master, workers) and the finished load tools
  # `times` must run in this shell (not in a pipe or $(...)) to see this shell's children.
  times >"$OUT/.times"
  local kids
  kids="$(awk 'NR == 2 {
    n = split($1 " " $2, t, " "); s = 0
    for (i = 1; i <= n; i++) { split(t[i], ms, "m"); sub(/s$/, "", ms[2]); s += ms[1] * 60 + ms[2] }
    print s }' "$OUT/.times")"
  OURS_CPU=$(( $(proc_cpu "$TG_PID" "$NGINX_PID" $(pgrep -P "$NGINX_PID" 2>/dev/null)) + $(awk -v s="$kids" -v hz="$HZ" 'BEGIN {printf "%d", s * hz}') ))
}
cpu_mark() { # remembers the CPU jiffies of nginx (master+workers) and Tollgate so far
  MARK_NGX="$(proc_cpu "$NGINX_PID" $(pgrep -P "$NGINX_PID" 2>/dev/null))"; MARK_TG="$(proc_cpu "$TG_PID")"
}
cpu_per_req() { # cpu_per_req KEY REQUESTS: stores CPU microseconds per request since cpu_mark in R[KEY,ngx_us] / R[KEY,tg_us]
  local n t
  n="$(proc_cpu "$NGINX_PID" $(pgrep -P "$NGINX_PID" 2>/dev/null))"; t="$(proc_cpu "$TG_PID")"
  R[$1,ngx_us]="$(awk -v d=$((n - MARK_NGX)) -v r="$2" -v hz="$HZ" 'BEGIN { if (r > 0) printf "%.0f", d * 1e6 / hz / r; else printf "n/a" }')"
  R[$1,tg_us]="$(awk -v d=$((t - MARK_TG)) -v r="$2" -v hz="$HZ" 'BEGIN { if (r > 0) printf "%.0f", d * 1e6 / hz / r; else printf "n/a" }')"
}
b0="$(cpu_busy)"; sleep 2; b1="$(cpu_busy)"
IDLE_BUSY_PCT="$(awk -v d=$((b1 - b0)) -v hz="$HZ" -v n="$(nproc)" 'BEGIN {printf "%.0f", 100 * d / (2 * hz * n)}')"
[ "$IDLE_BUSY_PCT" -lt 15 ] || log "warning: the CPUs are already ${IDLE_BUSY_PCT}% busy before the benchmark starts; other processes will skew the results"

# ---------------------------------------------------------------------------------------------------
# Free ports on 127.0.0.1
USED_PORTS=" "
pick_port() { # pick_port VAR
  local p _
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    case "$USED_PORTS" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then
      USED_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die "no free port found"
}
pick_port PORT_UP_JSON; pick_port PORT_UP_SSE; pick_port PORT_PX_JSON; pick_port PORT_PX_SSE; pick_port PORT_TG
# (d): three more canned upstreams per request kind, the same as (a) on their own ports.
pick_port PORT_UP3_JSON_1; pick_port PORT_UP3_JSON_2; pick_port PORT_UP3_JSON_3
pick_port PORT_UP3_SSE_1; pick_port PORT_UP3_SSE_2; pick_port PORT_UP3_SSE_3

wait_http() { # wait_http URL SECONDS [PID]: until URL answers (any status) or the deadline / process dies
  local url="$1" deadline=$((SECONDS + $2)) pid="${3:-}"
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.25
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------
# nginx: canned upstreams (a) and reverse proxies (b)
NGX="$OUT/nginx"
rm -rf "$NGX"; mkdir -p "$NGX/www" "$NGX/tmp" "$NGX/logs"
cp "$LIB/chat-completion.json" "$LIB/chat-stream.sse" "$NGX/www/"
chmod -R a+rX "$NGX"
# shellcheck source=bench/lib/canned-nginx.sh
. "$LIB/canned-nginx.sh"
NGX_CONF="$OUT/nginx.conf"
cat >"$NGX_CONF" <<EOF
# Generated by bench/run.sh at $TS; everything on 127.0.0.1.
$(nginx_head "$NGINX_WORKERS")

$(canned_json_block "$PORT_UP_JSON")
$(canned_sse_block "$PORT_UP_SSE")

  # (d) the same canned upstreams three times over, one per deployment of the weighted models.
$(for p in $PORT_UP3_JSON_1 $PORT_UP3_JSON_2 $PORT_UP3_JSON_3; do canned_json_block "$p"; done)
$(for p in $PORT_UP3_SSE_1 $PORT_UP3_SSE_2 $PORT_UP3_SSE_3; do canned_sse_block "$p"; done)

  upstream bench_json { server 127.0.0.1:$PORT_UP_JSON; keepalive 512; keepalive_requests 10000000; }
  upstream bench_sse  { server 127.0.0.1:$PORT_UP_SSE;  keepalive 512; keepalive_requests 10000000; }

  # (b) plain reverse proxies, pooled keep-alive connections upstream.
  server {
    listen 127.0.0.1:$PORT_PX_JSON backlog=4096 reuseport;
    location / {
      proxy_pass http://bench_json;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
  server {
    listen 127.0.0.1:$PORT_PX_SSE backlog=4096 reuseport;
    location / {
      proxy_pass http://bench_sse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
nginx -t -q -p "$NGX" -c "$NGX_CONF" -e "$NGX/logs/error.log" 2>"$NGX/logs/test.log" \
  || { cat "$NGX/logs/test.log" >&2; die "nginx rejected $NGX_CONF"; }
log "starting nginx: upstream json :$PORT_UP_JSON, sse :$PORT_UP_SSE; proxy json :$PORT_PX_JSON, sse :$PORT_PX_SSE;" \
  "(d) json :$PORT_UP3_JSON_1 :$PORT_UP3_JSON_2 :$PORT_UP3_JSON_3, sse :$PORT_UP3_SSE_1 :$PORT_UP3_SSE_2 :$PORT_UP3_SSE_3"
setsid nginx -p "$NGX" -c "$NGX_CONF" -e "$NGX/logs/error.log" >"$NGX/logs/stdout.log" 2>&1 &
NGINX_PID=$!
for p in $PORT_UP_JSON $PORT_UP_SSE $PORT_PX_JSON $PORT_PX_SSE $PORT_UP3_JSON_1 $PORT_UP3_JSON_2 $PORT_UP3_JSON_3 \
  $PORT_UP3_SSE_1 $PORT_UP3_SSE_2 $PORT_UP3_SSE_3; do
  wait_http "http://127.0.0.1:$p/" 15 "$NGINX_PID" || { cat "$NGX/logs/error.log" >&2; die "nginx did not come up on :$p"; }
done

# ---------------------------------------------------------------------------------------------------
# Tollgate (c) and (d)
jar="$TOLLGATE_HOME/target/tollgate.jar"
jar_stale() { [ ! -f "$jar" ] || [ -n "$(find "$TOLLGATE_HOME/src/main" "$TOLLGATE_HOME/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; }
attempt=1
while jar_stale; do
  log "building the jar (attempt $attempt/$BUILD_ATTEMPTS)"
  if (cd "$TOLLGATE_HOME" && timeout 900 ./mvnw -B -q -DskipTests package >"$OUT/build.log" 2>&1); then
    break
  fi
  tail -n 30 "$OUT/build.log" >&2
  [ "$attempt" -lt "$BUILD_ATTEMPTS" ] || die "the build failed $BUILD_ATTEMPTS times; see $OUT/build.log"
  log "build failed (the sources may be mid-edit); retrying in ${BUILD_RETRY_WAIT}s"
  sleep "$BUILD_RETRY_WAIT"
  attempt=$((attempt + 1))
done

MASTER_KEY="tg-bench-master-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The usage ledger's write-ahead log lives next to the database (bench/out/wal): a log left by an earlier
# run would be replayed into the fresh database and inflate its usage rows.
rm -rf "$OUT"/tollgate.db "$OUT"/tollgate.db-* "$OUT/wal"
cat >"$OUT/bench.yaml" <<EOF
# Generated by bench/run.sh at $TS.
server:
  host: 127.0.0.1
  port: $PORT_TG
  event_loops: $TOLLGATE_EVENT_LOOPS
  drain_timeout: 5s
database:
  url: "jdbc:sqlite:$OUT/tollgate.db"
auth:
  master_key: "\${BENCH_MASTER_KEY}"
logging:
  level: warn
  access_log: false
providers:
  - name: canned-json
    type: openai
    base_url: http://127.0.0.1:$PORT_UP_JSON/v1
  - name: canned-sse
    type: openai
    base_url: http://127.0.0.1:$PORT_UP_SSE/v1
  # (d): one provider per canned upstream
  - { name: canned-json-1, type: openai, base_url: "http://127.0.0.1:$PORT_UP3_JSON_1/v1" }
  - { name: canned-json-2, type: openai, base_url: "http://127.0.0.1:$PORT_UP3_JSON_2/v1" }
  - { name: canned-json-3, type: openai, base_url: "http://127.0.0.1:$PORT_UP3_JSON_3/v1" }
  - { name: canned-sse-1, type: openai, base_url: "http://127.0.0.1:$PORT_UP3_SSE_1/v1" }
  - { name: canned-sse-2, type: openai, base_url: "http://127.0.0.1:$PORT_UP3_SSE_2/v1" }
  - { name: canned-sse-3, type: openai, base_url: "http://127.0.0.1:$PORT_UP3_SSE_3/v1" }
routing:
  strategy: weighted
models:
  - name: bench-json
    deployments:
      - { provider: canned-json, model: gpt-4o-mini }
  - name: bench-stream
    deployments:
      - { provider: canned-sse, model: gpt-4o-mini }
  - name: bench-json-3
    deployments:
      - { provider: canned-json-1, model: gpt-4o-mini, weight: ${W[0]} }
      - { provider: canned-json-2, model: gpt-4o-mini, weight: ${W[1]} }
      - { provider: canned-json-3, model: gpt-4o-mini, weight: ${W[2]} }
  - name: bench-stream-3
    deployments:
      - { provider: canned-sse-1, model: gpt-4o-mini, weight: ${W[0]} }
      - { provider: canned-sse-2, model: gpt-4o-mini, weight: ${W[1]} }
      - { provider: canned-sse-3, model: gpt-4o-mini, weight: ${W[2]} }
EOF
if [ -n "$EXTRA_YAML" ]; then
  { echo "# From EXTRA_YAML ($EXTRA_YAML):"; cat "$EXTRA_YAML"; } >>"$OUT/bench.yaml"
fi
log "starting Tollgate on :$PORT_TG"
TG_LOG="$OUT/tollgate.log"
BENCH_MASTER_KEY="$MASTER_KEY" setsid "$TOLLGATE_HOME/bin/tollgate" serve --config "$OUT/bench.yaml" >"$TG_LOG" 2>&1 &
TG_PID=$!
if ! wait_http "http://127.0.0.1:$PORT_TG/health/live" "$START_TIMEOUT" "$TG_PID"; then
  tail -n 40 "$TG_LOG" >&2
  die "Tollgate did not become live within ${START_TIMEOUT}s (log: $TG_LOG)"
fi
ready=""
for _ in $(seq 1 120); do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT_TG/health/ready" || true)"
  [ "$code" = 200 ] && { ready=1; break; }
  sleep 0.25
done
[ -n "$ready" ] || die "Tollgate /health/ready never returned 200 (last: $code)"

key_resp="$(curl -s --max-time 10 -w '\n%{http_code}' -X POST "http://127.0.0.1:$PORT_TG/admin/v1/keys" \
  -H "Authorization: Bearer $MASTER_KEY" -H 'Content-Type: application/json' -d '{"name":"bench"}')"
key_code="${key_resp##*$'\n'}"
[ "$key_code" = 201 ] || die "creating a virtual key returned $key_code: ${key_resp%$'\n'*}"
VKEY="$(printf '%s' "${key_resp%$'\n'*}" | jq -r .key)"
[[ "$VKEY" == tg-* ]] || die "unexpected key response: ${key_resp%$'\n'*}"
log "virtual key created"

# ---------------------------------------------------------------------------------------------------
# Targets
url_for() { # url_for KIND PATH
  local port
  case "$1/$2" in
    json/a) port=$PORT_UP_JSON ;; json/b) port=$PORT_PX_JSON ;; json/c | json/d) port=$PORT_TG ;;
    stream/a) port=$PORT_UP_SSE ;; stream/b) port=$PORT_PX_SSE ;; stream/c | stream/d) port=$PORT_TG ;;
    *) die "bad target $1/$2" ;;
  esac
  echo "http://127.0.0.1:$port/v1/chat/completions"
}
# Path (d) sends the same body naming the weighted model (bench-json-3, bench-stream-3).
jq -c '.model = "bench-json-3"' "$LIB/request.json" >"$OUT/request-3.json"
jq -c '.model = "bench-stream-3"' "$LIB/request-stream.json" >"$OUT/request-stream-3.json"
body_for() { # body_for KIND [PATH]
  case "$1/${2:-}" in
    json/d) echo "$OUT/request-3.json" ;; stream/d) echo "$OUT/request-stream-3.json" ;;
    json/*) echo "$LIB/request.json" ;; stream/*) echo "$LIB/request-stream.json" ;;
  esac
}
PATH_NAME_a="(a) upstream direct"; PATH_NAME_b="(b) nginx proxy"; PATH_NAME_c="(c) Tollgate"
PATH_NAME_d="(d) Tollgate, 3 weighted deployments"
path_name() { local v="PATH_NAME_$1"; echo "${!v}"; }

PROBLEMS=()      # gateway problems, one line each, for the report
problem() { PROBLEMS+=("$*"); log "PROBLEM: $*"; }
tg_alive() {
  if ! kill -0 "$TG_PID" 2>/dev/null; then
    problem "Tollgate (pid $TG_PID) is no longer running (see $TG_LOG)"
    return 1
  fi
}
TG_OK=0          # 2xx responses from Tollgate counted by the load tools, to compare with recorded usage

# Sanity: every target answers 200 with the expected body before anything is measured.
for kind in $KINDS; do
  for p in $PATHS; do
    f="$RAW/sample-$kind-$p.txt"
    code="$(curl -s --max-time 10 -o "$f" -w '%{http_code}' -X POST "$(url_for "$kind" "$p")" \
      -H 'Content-Type: application/json' -H "Authorization: Bearer $VKEY" --data-binary @"$(body_for "$kind" "$p")" || true)"
    if [ "$code" != 200 ]; then
      is_tg "$p" && problem "sanity request $kind via $(path_name $p) returned HTTP $code: $(head -c 300 "$f")"
      die "sanity check failed: $kind via $(path_name "$p") returned HTTP $code: $(head -c 300 "$f")"
    fi
    if [ "$kind" = json ]; then
      jq -e '.object == "chat.completion" and .usage.total_tokens > 0' "$f" >/dev/null \
        || die "sanity check: $kind via $(path_name "$p") returned an unexpected body: $(head -c 300 "$f")"
    else
      grep -q '^data: \[DONE\]' "$f" && grep -q '"choices":\[\]' "$f" \
        || die "sanity check: $kind via $(path_name "$p") returned an unexpected stream: $(head -c 300 "$f")"
    fi
    is_tg "$p" && TG_OK=$((TG_OK + 1))
  done
  if has_path d; then
    # Every deployment of the weighted model serves: 60 requests, each answered 200 and named in
    # x-tollgate-deployment; the least weighted one is missed by chance with probability < 1e-4.
    f="$RAW/sample-$kind-d-deployments.txt"
    urls=(); for ((i = 0; i < 60; i++)); do urls+=("$(url_for "$kind" d)"); done
    curl -s --max-time 10 -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $VKEY" \
      --data-binary @"$(body_for "$kind" d)" -w '%{stderr}%{http_code} %header{x-tollgate-deployment}\n' "${urls[@]}" \
      >/dev/null 2>"$f" || true
    [ "$(awk '$1 == 200 {n++} END {print n + 0}' "$f")" = 60 ] \
      || die "sanity check: not every request to bench-$kind-3 was answered 200 (see $f)"
    TG_OK=$((TG_OK + 60))
    for i in 1 2 3; do
      grep -q " canned-$([ "$kind" = json ] && echo json || echo sse)-$i/" "$f" \
        || die "sanity check: deployment $i of bench-$kind-3 never served in 60 requests (see $f)"
    done
  fi
done
log "sanity checks passed (sample responses in $RAW)"

# ---------------------------------------------------------------------------------------------------
# Runners
declare -A R   # results: R[tool,kind,load,path,field]

run_wrk() { # run_wrk KIND PATH CONNS SECONDS OUTFILE
  local kind="$1" p="$2" c="$3" d="$4" f="$5"
  BENCH_BODY="$(body_for "$kind" "$p")" BENCH_KEY="$VKEY" timeout -k 5 $((d + 60)) \
    wrk -t"$THREADS" -c"$c" -d"${d}s" --timeout 10s --latency -s "$LIB/post.lua" "$(url_for "$kind" "$p")" \
    >"$f" 2>&1 || log "wrk exited non-zero for $kind/$p/c$c (see $f)"
}

wrk_field() { # wrk_field FILE NAME
  sed -n "s/.*BENCH_RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1
}

saturation() {
  local kind c p f req st errs
  for kind in $KINDS; do
    for c in $CONNECTIONS; do
      for p in $PATHS; do
        is_tg "$p" && { tg_alive || continue; }
        f="$RAW/wrk-$kind-c$c-$p.txt"
        log "wrk $kind $(path_name $p) -c$c ${DURATION}s"
        [ "$p" = d ] && split_mark "$kind"
        cpu_mark
        run_wrk "$kind" "$p" "$c" "$DURATION" "$f"
        req="$(wrk_field "$f" requests)"
        cpu_per_req "wrk,$kind,$c,$p" "${req:-0}"
        [ "$p" = d ] && split_take "wrk,$kind,$c" "$kind"
        if [ -z "$req" ]; then
          R[wrk,$kind,$c,$p,rps]="n/a"; R[wrk,$kind,$c,$p,p50]="n/a"; R[wrk,$kind,$c,$p,p99]="n/a"
          R[wrk,$kind,$c,$p,err]="wrk failed"
          is_tg "$p" && problem "wrk against Tollgate ($(path_name "$p"), $kind, $c conns) produced no result: $(head -c 300 "$f")"
          continue
        fi
        R[wrk,$kind,$c,$p,rps]="$(wrk_field "$f" rps)"
        R[wrk,$kind,$c,$p,p50]="$(awk -v u="$(wrk_field "$f" p50_us)" 'BEGIN{printf "%.2f", u/1000}')"
        R[wrk,$kind,$c,$p,p99]="$(awk -v u="$(wrk_field "$f" p99_us)" 'BEGIN{printf "%.2f", u/1000}')"
        st="$(wrk_field "$f" status_err)"
        errs=$(( $(wrk_field "$f" connect_err) + $(wrk_field "$f" read_err) + $(wrk_field "$f" write_err) + $(wrk_field "$f" timeout_err) ))
        R[wrk,$kind,$c,$p,err]="$st / $errs"
        if is_tg "$p"; then
          TG_OK=$((TG_OK + req - st))
          if [ "$st" != 0 ] || [ "$errs" != 0 ]; then
            problem "wrk $kind at $c connections via $(path_name "$p"): $st non-2xx/3xx responses and $errs socket errors" \
              "(connect $(wrk_field "$f" connect_err), read $(wrk_field "$f" read_err), write $(wrk_field "$f" write_err), timeout $(wrk_field "$f" timeout_err)) out of $req"
          fi
        elif [ "$st" != 0 ] || [ "$errs" != 0 ]; then
          log "note: $kind via $(path_name $p) at $c conns had $st status errors and $errs socket errors"
        fi
      done
    done
  done
  return 0
}

# shellcheck source=bench/lib/hey.sh
. "$LIB/hey.sh"

fixed_load() {
  local kind rate p f q ok bad errs
  for kind in $KINDS; do
    for rate in $RATES; do
      q="$(awk -v r="$rate" -v w="$HEY_WORKERS" 'BEGIN{printf "%g", r / w}')"
      for p in $PATHS; do
        is_tg "$p" && { tg_alive || continue; }
        f="$RAW/hey-$kind-r$rate-$p.txt"
        log "hey $kind $(path_name $p) at $rate req/s (-c $HEY_WORKERS -q $q) ${FIXED_DURATION}s"
        [ "$p" = d ] && split_mark "$kind"
        cpu_mark
        timeout -k 5 $((FIXED_DURATION + 60)) hey -z "${FIXED_DURATION}s" -c "$HEY_WORKERS" -q "$q" -t 10 \
          -m POST -T application/json -H "Authorization: Bearer $VKEY" -D "$(body_for "$kind" "$p")" \
          "$(url_for "$kind" "$p")" >"$f" 2>&1 || log "hey exited non-zero for $kind/$p/$rate (see $f)"
        R[hey,$kind,$rate,$p,rps]="$(hey_field "$f" rps)"
        R[hey,$kind,$rate,$p,p50]="$(hey_field "$f" p50)"
        R[hey,$kind,$rate,$p,p99]="$(hey_field "$f" p99)"
        ok="$(hey_field "$f" ok)"; bad="$(hey_field "$f" bad)"; errs="$(hey_field "$f" errors)"
        cpu_per_req "hey,$kind,$rate,$p" "$((ok + bad))"
        [ "$p" = d ] && split_take "hey,$kind,$rate" "$kind"
        R[hey,$kind,$rate,$p,err]="$bad / $errs"
        if is_tg "$p"; then
          TG_OK=$((TG_OK + ok))
          if [ "$bad" != 0 ] || [ "$errs" != 0 ]; then
            problem "hey $kind at $rate req/s via $(path_name "$p"): $bad non-2xx responses, $errs errors:" \
              "$(awk '/Status code distribution:/,0' "$f" | tr -s ' \t\n' ' ' | head -c 400)"
          fi
        fi
      done
    done
  done
  return 0
}

# Sequential streaming requests on one keep-alive connection (one curl, N URLs): time_starttransfer is
# the time to the first byte of the response (the status line), time_total the time to the end of the stream.
ttfb() {
  local p f i urls=() code_bad
  for p in $PATHS; do
    is_tg "$p" && { tg_alive || continue; }
    f="$RAW/ttfb-stream-$p.txt"
    urls=()
    for ((i = 0; i < TTFB_REQUESTS; i++)); do urls+=("$(url_for stream "$p")"); done
    log "curl stream TTFB $(path_name $p): $TTFB_REQUESTS sequential requests"
    timeout -k 5 $((TTFB_REQUESTS / 5 + 60)) curl -s --max-time 10 -X POST -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $VKEY" --data-binary @"$(body_for stream "$p")" \
      -w '%{stderr}%{http_code} %{time_starttransfer} %{time_total} %{num_connects}\n' "${urls[@]}" \
      >/dev/null 2>"$f" || log "curl exited non-zero for ttfb/$p (see $f)"
    code_bad="$(awk '$1 !~ /^2/ {n++} END {print n + 0}' "$f")"
    R[ttfb,$p,n]="$(awk '$1 ~ /^2/ {n++} END {print n + 0}' "$f")"
    R[ttfb,$p,conns]="$(awk '{n += $4} END {print n + 0}' "$f")"
    R[ttfb,$p,err]="$code_bad"
    read -r "R[ttfb,$p,ttfb50]" "R[ttfb,$p,ttfb90]" "R[ttfb,$p,ttfb99]" < <(awk '$1 ~ /^2/ {print $2}' "$f" | percentiles)
    read -r "R[ttfb,$p,tot50]" "R[ttfb,$p,tot90]" "R[ttfb,$p,tot99]" < <(awk '$1 ~ /^2/ {print $3}' "$f" | percentiles)
    if is_tg "$p"; then
      TG_OK=$((TG_OK + ${R[ttfb,$p,n]}))
      [ "$code_bad" = 0 ] || problem "curl stream via $(path_name "$p"): $code_bad of $TTFB_REQUESTS requests failed: $(awk '$1 !~ /^2/' "$f" | sort | uniq -c | head -n 5 | tr '\n' ';')"
    fi
  done
  return 0
}

percentiles() { # seconds on stdin, one per line -> "p50 p90 p99" in ms (nearest rank)
  sort -g | awk '{a[NR] = $1}
    END {
      if (NR == 0) { print "n/a n/a n/a"; exit }
      split("50 90 99", ps, " ")
      for (i = 1; i <= 3; i++) { k = int(ps[i] / 100 * NR + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR; printf "%.3f ", a[k] * 1000 }
      print ""
    }'
}

cpu_cell() { # cpu_cell KEY PATH
  if is_tg "$2"; then echo "${R[$1,tg_us]:-n/a} + ${R[$1,ngx_us]:-n/a}"; else echo "${R[$1,ngx_us]:-n/a}"; fi
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (x + 0 > 0 && y + 0 > 0) printf "%.2f", x / y; else printf "n/a" }'; }
diff_ms() { awk -v x="$1" -v y="$2" -v d="$3" 'BEGIN { if (x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/) printf "%+." d "f", x - y; else printf "n/a" }'; }

# Traffic split of path (d): Tollgate's per-deployment request counters (/metrics) before and after a run.
deployment_counts() { # deployment_counts KIND -> "n1 n2 n3": requests bench-KIND-3 sent to each deployment so far
  local prov
  prov="$([ "$1" = json ] && echo canned-json || echo canned-sse)"
  curl -s --max-time 10 "http://127.0.0.1:$PORT_TG/metrics" | awk -v m="bench-$1-3" -v p="$prov" '
    /^tollgate_requests_total\{/ && index($0, "model=\"" m "\"") {
      for (i = 1; i <= 3; i++) if (index($0, "deployment=\"" p "-" i "/")) n[i] += $NF
    }
    END { printf "%d %d %d\n", n[1], n[2], n[3] }'
}
split_mark() { SPLIT_MARK="$(deployment_counts "$1")"; }
split_take() { # split_take KEY KIND: stores "d1 d2 d3" (requests per deployment since split_mark) in R[KEY,split]
  R[$1,split]="$(awk -v a="$SPLIT_MARK" -v b="$(deployment_counts "$2")" 'BEGIN {
    split(a, x, " "); split(b, y, " "); printf "%d %d %d", y[1] - x[1], y[2] - x[2], y[3] - x[3] }')"
}
split_cell() { # split_cell "n1 n2 n3" -> "50.1 / 33.2 / 16.7 %"
  awk -v s="$1" 'BEGIN { split(s, n, " "); t = n[1] + n[2] + n[3]
    if (t <= 0) { printf "n/a"; exit }
    printf "%.1f / %.1f / %.1f %%", 100 * n[1] / t, 100 * n[2] / t, 100 * n[3] / t }'
}
WEIGHT_SHARE="$(split_cell "${W[*]}")"

# ---------------------------------------------------------------------------------------------------
# Measure
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
ours_cpu; CPU_OURS0=$OURS_CPU; CPU_BUSY0="$(cpu_busy)"; MEASURE_T0=$SECONDS
for kind in $KINDS; do
  first_c="${CONNECTIONS%% *}"
  for p in c d; do
    has_path "$p" || continue
    log "warm-up: wrk $kind against $(path_name "$p") -c$first_c ${WARMUP}s (not reported)"
    run_wrk "$kind" "$p" "$first_c" "$WARMUP" "$RAW/warmup-$kind-$p.txt"
    w_req="$(wrk_field "$RAW/warmup-$kind-$p.txt" requests)"; w_st="$(wrk_field "$RAW/warmup-$kind-$p.txt" status_err)"
    [ -n "$w_req" ] && TG_OK=$((TG_OK + w_req - w_st))
    [ -z "$w_st" ] || [ "$w_st" = 0 ] || problem "warm-up $kind via $(path_name "$p"): $w_st non-2xx responses of $w_req"
  done
done
saturation
fixed_load
case " $KINDS " in *" stream "*) ttfb ;; esac

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
CPU_BUSY1="$(cpu_busy)"; ours_cpu; CPU_OURS1=$OURS_CPU
read -r CPU_ALL_S CPU_OTHER_S CPU_OTHER_PCT < <(awk -v all=$((CPU_BUSY1 - CPU_BUSY0)) -v ours=$((CPU_OURS1 - CPU_OURS0)) \
  -v hz="$HZ" -v wall=$((SECONDS - MEASURE_T0)) -v n="$(nproc)" 'BEGIN {
    other = all - ours; if (other < 0) other = 0
    printf "%.0f %.0f %.0f\n", all / hz, other / hz, (wall > 0) ? 100 * other / hz / (wall * n) : 0 }')

# ---------------------------------------------------------------------------------------------------
# Tollgate process figures, then a graceful stop so the usage queue is flushed before counting rows
HWM="n/a"; RSS_END="n/a"; THREADS_END="n/a"; CPU_S="n/a"; CPU_SPLIT="n/a"
if tg_alive; then
  HWM="$(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$TG_PID/status")"
  RSS_END="$(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$TG_PID/status")"
  THREADS_END="$(awk '/^Threads:/ {print $2}' "/proc/$TG_PID/status")"
  CPU_S="$(awk -v hz="$HZ" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz}' "/proc/$TG_PID/stat")"
  # Per-thread split of live threads: JIT compiler and GC threads vs the rest (event loops, carriers, ...).
  CPU_SPLIT="$(for t in /proc/"$TG_PID"/task/*; do
      printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "$t/stat" 2>/dev/null)"
    done | awk -F '\t' -v hz="$HZ" '
      $1 ~ /^C[12] CompilerThre/ { jit += $2; next }
      $1 ~ /^(GC Thread|G1 )/ { gc += $2; next }
      $1 ~ /^vert\.x-eventlo/ { ev += $2; next }
      $1 ~ /^ForkJoinPool/ { vt += $2; next }
      { other += $2 }
      END { printf "event loops %.1f s, virtual-thread carriers %.1f s, JIT compilers %.1f s, GC %.1f s, other %.1f s", ev / hz, vt / hz, jit / hz, gc / hz, other / hz }')"
  log "stopping Tollgate gracefully to flush usage"
  kill -TERM "$TG_PID"
  for _ in $(seq 1 300); do kill -0 "$TG_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$TG_PID" 2>/dev/null; then
    problem "Tollgate did not exit within 30s of SIGTERM"
  else
    wait "$TG_PID" 2>/dev/null && tg_rc=0 || tg_rc=$?
    [ "$tg_rc" = 0 ] || [ "$tg_rc" = 143 ] || problem "Tollgate exited with status $tg_rc after SIGTERM"
    TG_PID=""
  fi
fi
USAGE_ROWS="n/a"
if [ -z "$TG_PID" ] && command -v sqlite3 >/dev/null 2>&1; then
  USAGE_ROWS="$(sqlite3 "$OUT/tollgate.db" 'SELECT count(*) FROM usage_events' 2>/dev/null || echo n/a)"
  if [[ "$USAGE_ROWS" =~ ^[0-9]+$ ]] && [ "$USAGE_ROWS" -lt "$TG_OK" ]; then
    problem "usage_events has $USAGE_ROWS rows but the load tools counted $TG_OK successful Tollgate responses"
  fi
fi
TG_WARN="$(grep -cE '(^|[ "])(WARN|ERROR)([ "]|$)|Exception' "$TG_LOG" || true)"
[ "${TG_WARN:-0}" = 0 ] || problem "Tollgate logged $TG_WARN WARN/ERROR/exception lines (first ones below; full log: $TG_LOG)"

# ---------------------------------------------------------------------------------------------------
# Report
git_rev="$(git -C "$TOLLGATE_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$TOLLGATE_HOME" diff --quiet HEAD -- src pom.xml 2>/dev/null || git_rev="$git_rev (+ uncommitted changes)"
{
  echo "# Tollgate benchmark, $TS"
  echo
  echo "- Run: $([ "$QUICK" = 1 ] && echo 'quick (smoke test, short runs: not for comparison)' || echo full);" \
    "wrk ${DURATION}s per run after a ${WARMUP}s Tollgate warm-up per request kind, -t$THREADS;" \
    "hey ${FIXED_DURATION}s per run, $HEY_WORKERS workers"
  echo "- Machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(uname -r);" \
    "load average before measuring: $LOAD_START, after: $LOAD_END. Load generator, nginx and Tollgate share these CPUs."
  echo "- CPU: ${IDLE_BUSY_PCT}% busy before the benchmark started anything; during measuring, processes other than nginx, Tollgate" \
    "and the load tools used ${CPU_OTHER_S} CPU-s of ${CPU_ALL_S} busy CPU-s (${CPU_OTHER_PCT}% of the machine's capacity)."
  if [ "$IDLE_BUSY_PCT" -ge 15 ] || [ "$CPU_OTHER_PCT" -ge 5 ]; then
    echo "- **Warning: other processes competed for the CPUs during this run, so its numbers understate every path;" \
      "rerun on a quiet machine before comparing.**"
  fi
  echo "- Tollgate: commit $git_rev; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1);" \
    "heap ${TOLLGATE_HEAP:-384m}; event_loops $TOLLGATE_EVENT_LOOPS (0 = one per core); SQLite usage recording; virtual key auth"
  echo "- Tools: $(nginx -v 2>&1 | sed 's/.*: //') (workers: $NGINX_WORKERS), $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'), hey, $(curl --version | head -n 1 | awk '{print $1, $2}')"
  echo "- Paths: (a) client -> nginx canned upstream; (b) client -> nginx reverse proxy -> (a);" \
    "(c) client -> Tollgate -> (a); (d) client -> Tollgate -> one model with three deployments (weights ${W[*]})" \
    "on three canned upstreams like (a). Run: $PATHS. Request kinds: json = non-streaming chat completion (686-byte body);" \
    "stream = SSE chat completion (17 events incl. a usage-only chunk, then [DONE]; 5.3 KB, chunked, sent at once)."
  echo
  echo "## 1. Saturation (wrk, closed loop, keep-alive)"
  echo
  echo "Latency is request written to response fully read (the whole stream for stream)." \
    "Errors: HTTP status >= 400 / socket errors (connect+read+write+timeout). CPU µs/req: CPU time" \
    "(user+sys) the servers used during the run divided by the requests completed; unlike req/s it barely" \
    "depends on other load on the machine (nginx's share for (c) and (d) is the canned upstreams alone)."
  echo
  echo "| Kind | Conns | Path | req/s | p50 ms | p99 ms | errors (status / socket) | CPU µs/req: Tollgate + nginx |"
  echo "|---|---:|---|---:|---:|---:|---|---:|"
  for kind in $KINDS; do for c in $CONNECTIONS; do for p in $PATHS; do
    echo "| $kind | $c | $(path_name $p) | ${R[wrk,$kind,$c,$p,rps]:-n/a} | ${R[wrk,$kind,$c,$p,p50]:-n/a} | ${R[wrk,$kind,$c,$p,p99]:-n/a} | ${R[wrk,$kind,$c,$p,err]:-n/a} | $(cpu_cell "wrk,$kind,$c,$p" "$p") |"
  done; done; done
  echo
  echo "| Kind | Conns | req/s c/b | req/s c/a | p99 c/b | p99 c/a |"
  echo "|---|---:|---:|---:|---:|---:|"
  for kind in $KINDS; do for c in $CONNECTIONS; do
    echo "| $kind | $c | $(ratio "${R[wrk,$kind,$c,c,rps]:-}" "${R[wrk,$kind,$c,b,rps]:-}") | $(ratio "${R[wrk,$kind,$c,c,rps]:-}" "${R[wrk,$kind,$c,a,rps]:-}") | $(ratio "${R[wrk,$kind,$c,c,p99]:-}" "${R[wrk,$kind,$c,b,p99]:-}") | $(ratio "${R[wrk,$kind,$c,c,p99]:-}" "${R[wrk,$kind,$c,a,p99]:-}") |"
  done; done
  echo
  echo "## 2. Fixed load (hey, $HEY_WORKERS workers each rate-limited to rate/$HEY_WORKERS)"
  echo
  echo "hey's workers wait for each response, so a slow path falls below its target rate instead of queueing" \
    "(check achieved req/s). hey prints latencies with 0.1 ms resolution. Errors: non-2xx / transport errors."
  echo
  echo "| Kind | Target req/s | Path | achieved req/s | p50 ms | p99 ms | errors (non-2xx / transport) | CPU µs/req: Tollgate + nginx |"
  echo "|---|---:|---|---:|---:|---:|---|---:|"
  for kind in $KINDS; do for rate in $RATES; do for p in $PATHS; do
    echo "| $kind | $rate | $(path_name $p) | ${R[hey,$kind,$rate,$p,rps]:-n/a} | ${R[hey,$kind,$rate,$p,p50]:-n/a} | ${R[hey,$kind,$rate,$p,p99]:-n/a} | ${R[hey,$kind,$rate,$p,err]:-n/a} | $(cpu_cell "hey,$kind,$rate,$p" "$p") |"
  done; done; done
  echo
  echo "Tollgate's added latency (c minus a; and c minus b, the cost beyond any extra hop):"
  echo
  echo "| Kind | Target req/s | p50 c-a ms | p99 c-a ms | p50 c-b ms | p99 c-b ms |"
  echo "|---|---:|---:|---:|---:|---:|"
  for kind in $KINDS; do for rate in $RATES; do
    echo "| $kind | $rate | $(diff_ms "${R[hey,$kind,$rate,c,p50]:-}" "${R[hey,$kind,$rate,a,p50]:-}" 1) | $(diff_ms "${R[hey,$kind,$rate,c,p99]:-}" "${R[hey,$kind,$rate,a,p99]:-}" 1) | $(diff_ms "${R[hey,$kind,$rate,c,p50]:-}" "${R[hey,$kind,$rate,b,p50]:-}" 1) | $(diff_ms "${R[hey,$kind,$rate,c,p99]:-}" "${R[hey,$kind,$rate,b,p99]:-}" 1) |"
  done; done
  case " $KINDS " in *" stream "*)
    echo
    echo "## 3. Stream time to first byte (curl, $TTFB_REQUESTS sequential requests per path, one keep-alive connection, no other load)"
    echo
    echo "TTFB = curl's time_starttransfer: until the first response byte (the status line), not the first SSE" \
      "event. The canned stream is sent at once, so total = time to the end of the stream (incl. [DONE])."
    echo
    echo "| Path | ok | TTFB p50 ms | TTFB p90 ms | TTFB p99 ms | total p50 ms | total p99 ms | TTFB p50 minus (a) | connections opened |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for p in $PATHS; do
      echo "| $(path_name $p) | ${R[ttfb,$p,n]:-n/a} | ${R[ttfb,$p,ttfb50]:-n/a} | ${R[ttfb,$p,ttfb90]:-n/a} | ${R[ttfb,$p,ttfb99]:-n/a} | ${R[ttfb,$p,tot50]:-n/a} | ${R[ttfb,$p,tot99]:-n/a} | $(diff_ms "${R[ttfb,$p,ttfb50]:-}" "${R[ttfb,a,ttfb50]:-}" 3) | ${R[ttfb,$p,conns]:-n/a} |"
    done
  ;; esac
  if has_path d; then
    echo
    echo "## Routing over three weighted deployments (d) against one (c)"
    echo
    echo "The same gateway and request; (d)'s model has three deployments (weights ${W[*]}, strategy weighted)" \
      "on three canned upstreams. d/c near 1 means routing over three costs no more than over one. Split:" \
      "requests per deployment during the run, from Tollgate's /metrics (tollgate_requests_total), against the" \
      "share the weights ask for ($WEIGHT_SHARE)."
    echo
    echo "| Kind | Load | req/s d/c | req/s d/b | p99 d/c | Tollgate CPU µs/req c -> d | observed split (requests) |"
    echo "|---|---|---:|---:|---:|---:|---|"
    for kind in $KINDS; do
      for c in $CONNECTIONS; do
        echo "| $kind | wrk -c$c | $(ratio "${R[wrk,$kind,$c,d,rps]:-}" "${R[wrk,$kind,$c,c,rps]:-}") | $(ratio "${R[wrk,$kind,$c,d,rps]:-}" "${R[wrk,$kind,$c,b,rps]:-}") | $(ratio "${R[wrk,$kind,$c,d,p99]:-}" "${R[wrk,$kind,$c,c,p99]:-}") | ${R[wrk,$kind,$c,c,tg_us]:-n/a} -> ${R[wrk,$kind,$c,d,tg_us]:-n/a} | $(split_cell "${R[wrk,$kind,$c,split]:-}") ($(awk -v s="${R[wrk,$kind,$c,split]:-}" 'BEGIN {split(s, n, " "); printf "%d", n[1] + n[2] + n[3]}')) |"
      done
      for rate in $RATES; do
        echo "| $kind | hey $rate req/s | $(ratio "${R[hey,$kind,$rate,d,rps]:-}" "${R[hey,$kind,$rate,c,rps]:-}") | $(ratio "${R[hey,$kind,$rate,d,rps]:-}" "${R[hey,$kind,$rate,b,rps]:-}") | $(ratio "${R[hey,$kind,$rate,d,p99]:-}" "${R[hey,$kind,$rate,c,p99]:-}") | ${R[hey,$kind,$rate,c,tg_us]:-n/a} -> ${R[hey,$kind,$rate,d,tg_us]:-n/a} | $(split_cell "${R[hey,$kind,$rate,split]:-}") ($(awk -v s="${R[hey,$kind,$rate,split]:-}" 'BEGIN {split(s, n, " "); printf "%d", n[1] + n[2] + n[3]}')) |"
      done
    done
  fi
  echo
  echo "## 4. Tollgate process"
  echo
  echo "| Peak RSS (VmHWM) | RSS at end | Threads at end | CPU time (user+sys) | Usage rows recorded | Successful responses counted by the tools |"
  echo "|---:|---:|---:|---:|---:|---:|"
  echo "| $HWM | $RSS_END | $THREADS_END | ${CPU_S} s | $USAGE_ROWS | $TG_OK |"
  echo
  echo "CPU time by thread, since start (live threads only): $CPU_SPLIT. Tollgate's CPU µs/req above include" \
    "JIT compilation still going on after the warm-up, and GC."
  echo
  echo "(Usage rows can exceed the count: requests still in flight when a wrk run stops are recorded but not counted.)"
  echo
  echo "## Problems observed"
  echo
  if [ "${#PROBLEMS[@]}" -eq 0 ]; then
    echo "None: every Tollgate response was 2xx, no socket errors, no WARN/ERROR lines in its log."
  else
    for line in "${PROBLEMS[@]}"; do echo "- $line"; done
    if [ "${TG_WARN:-0}" != 0 ]; then
      echo
      echo '```'
      grep -E '(^|[ "])(WARN|ERROR)([ "]|$)|Exception' "$TG_LOG" | head -n 15 | cut -c1-400
      echo '```'
    fi
  fi
  echo
  echo "Raw tool output: \`${RAW#"$ROOT"/}/\`; nginx config: \`${NGX_CONF#"$ROOT"/}\`; Tollgate config and log: \`${OUT#"$ROOT"/}/bench.yaml\`, \`${TG_LOG#"$ROOT"/}\`."
} >"$RESULTS"

# Machine-readable figures for scripts that run this one (bench/metering.sh): tool, kind, load, path, then
# req/s, p50 ms, p99 ms, Tollgate CPU µs/req, nginx CPU µs/req, errors; ttfb: ok, ttfb p50/p99, total p50/p99;
# and one summary line: usage rows, successful responses counted, problems, Tollgate CPU s, peak RSS, other CPU %.
if [ -n "$RESULTS_TSV" ]; then
  {
    for kind in $KINDS; do for p in $PATHS; do
      for c in $CONNECTIONS; do
        printf 'wrk\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$c" "$p" "${R[wrk,$kind,$c,$p,rps]:-n/a}" \
          "${R[wrk,$kind,$c,$p,p50]:-n/a}" "${R[wrk,$kind,$c,$p,p99]:-n/a}" "${R[wrk,$kind,$c,$p,tg_us]:-n/a}" \
          "${R[wrk,$kind,$c,$p,ngx_us]:-n/a}" "${R[wrk,$kind,$c,$p,err]:-n/a}"
      done
      for rate in $RATES; do
        printf 'hey\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$rate" "$p" "${R[hey,$kind,$rate,$p,rps]:-n/a}" \
          "${R[hey,$kind,$rate,$p,p50]:-n/a}" "${R[hey,$kind,$rate,$p,p99]:-n/a}" "${R[hey,$kind,$rate,$p,tg_us]:-n/a}" \
          "${R[hey,$kind,$rate,$p,ngx_us]:-n/a}" "${R[hey,$kind,$rate,$p,err]:-n/a}"
      done
    done; done
    case " $KINDS " in *" stream "*)
      for p in $PATHS; do
        printf 'ttfb\tstream\t1\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "${R[ttfb,$p,n]:-n/a}" "${R[ttfb,$p,ttfb50]:-n/a}" \
          "${R[ttfb,$p,ttfb99]:-n/a}" "${R[ttfb,$p,tot50]:-n/a}" "${R[ttfb,$p,tot99]:-n/a}" "${R[ttfb,$p,err]:-n/a}"
      done
    ;; esac
    printf 'summary\t%s\t%s\t%s\t%s\t%s\t%s\n' "$USAGE_ROWS" "$TG_OK" "${#PROBLEMS[@]}" "$CPU_S" "${HWM// /}" "$CPU_OTHER_PCT"
  } >"$RESULTS_TSV"
fi

echo
cat "$RESULTS"
echo
log "results written to $RESULTS"
