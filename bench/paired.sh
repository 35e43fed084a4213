#!/usr/bin/env bash
# Gateways side by side (issue 5's "on versus off in the same run", measured closely): several Tollgate builds or
# configurations run at once, each on its own port, database and write-ahead log, all in front of the same nginx
# canned upstream; each is warmed up, then wrk measures them in turn, a short run each, cycle after cycle, the
# order rotated every cycle. Each ratio is taken within a cycle (a minute or two apart at most), so it does not
# carry the machine's drift (OFF alone lost 20% over three back-to-back bench/run.sh runs on this VM, see
# RESULTS.md), and the medians over many cycles are steadier than three rounds of bench/metering.sh.
# A gateway not being measured is idle (its flusher drains what the last run left within a few hundred ms;
# GAP seconds pass between runs).
#
# At the end every gateway is stopped gracefully and its usage rows are checked against the successful
# responses wrk counted (warm-up included); for a gateway with a budget, the budget's settled spend against
# the rows' cost.
#
# Usage: bench/paired.sh [--quick]
# Environment (defaults in brackets; --quick: 2 cycles of short runs, not for comparison):
#   GATEWAYS      name=HOME[+EXTRA_YAML] ... ; the first is the baseline of every ratio
#                 [off=bench/out/off-7e14473 ledger=. full=.+bench/out/metering-full.yaml, as bench/metering.sh makes them]
#                 The same HOME may be listed twice under two names: each is a JVM of its own, and two JVMs of one
#                 build differ by 5-12% here (JIT and thread placement, RESULTS.md), which the intervals (they
#                 resample cycles, not JVMs) do not include. Name the others NAME-jvm2, NAME-jvm3...: the report then
#                 adds a table pooled by build, each cycle's mean req/s of a build's JVMs over the baseline build's.
#   CYCLES        measuring cycles [8; quick 2]
#   DURATION      seconds per wrk run [10; quick 3]
#   WARMUP        seconds of warm-up per gateway and request kind, json first [60; quick 3]
#   GAP           seconds between runs [2]
#   KINDS         request kinds ["json stream"]
#   CONNECTIONS   wrk connections [64]; THREADS wrk threads [2]
#   RATE          0: wrk, closed loop, as fast as each gateway goes (throughput). N > 0: hey instead, N requests a
#                 second from HEY_WORKERS workers (each waits for its answer, so a gateway that cannot keep up
#                 falls short). Every gateway then runs at the same operating point, so its CPU per request
#                 compares builds without the closed loop's amplification: under saturation a slower gateway
#                 also makes wrk, nginx and the kernel spend more per request (fewer requests per wake-up),
#                 and its req/s falls by more than its own CPU rose (RESULTS.md, 2026-11-27 afternoon). [0]
#   HEY_WORKERS   hey's workers with RATE [50]
#   PIN           1: the gateways on CPU 1, wrk and nginx on CPU 0 (taskset), so that a gateway's throughput is
#                 what one core of its own gives it, without the load generator's and upstream's share of the
#                 same cores moving with it [0: everything shares both CPUs]
#   PROFILER      path to async-profiler's libasyncProfiler.so: every gateway is profiled (CPU, a sample per ms of
#                 CPU) from the first cycle to the last, and the report adds where each one's CPU went per request,
#                 by thread group and category (bench/lib/profile-breakdown.awk). Interleaved like the throughput
#                 runs, so the machine's drift falls on every gateway alike. To get the library (offline once cached):
#                   ./mvnw -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 \
#                     -DoutputDirectory=/tmp/ap && unzip -o -q /tmp/ap/async-profiler-4.1-linux-x64.jar -d /tmp/ap
#                 then PROFILER=/tmp/ap/linux-x64/libasyncProfiler.so [none]
#   PROFILER_EVENT  what the profiler samples: cpu (a sample per ms of CPU), or alloc (a sample per 512 KiB
#                 allocated, the TLAB-driven sampling of async-profiler: where the garbage comes from) [cpu]
#   KEEP_DATA     1: keep each gateway's database and write-ahead log after the checks (gigabytes a run) [0]
#   JAVA_HOME     JDK 25 [/usr/lib/jvm/temurin-25-jdk-amd64]
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
    *) echo "paired.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  CYCLES="${CYCLES:-2}"; DURATION="${DURATION:-3}"; WARMUP="${WARMUP:-3}"
else
  CYCLES="${CYCLES:-8}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-60}"
fi
GAP="${GAP:-2}"
KINDS="${KINDS:-json stream}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PIN="${PIN:-0}"
RATE="${RATE:-0}"
HEY_WORKERS="${HEY_WORKERS:-50}"
case "$PIN" in 0) PIN_LOAD=(); PIN_GATEWAY=() ;; 1) PIN_LOAD=(taskset -c 0); PIN_GATEWAY=(taskset -c 1) ;;
  *) echo "paired.sh: PIN must be 0 or 1, got '$PIN'" >&2; exit 2 ;; esac
GATEWAYS="${GATEWAYS:-off=$OUT/off-7e14473 ledger=$ROOT full=$ROOT+$OUT/metering-full.yaml}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ "$RATE" =~ ^[0-9]+$ ]] || { echo "paired.sh: RATE must be a number, got '$RATE'" >&2; exit 2; }
for v in CYCLES DURATION WARMUP GAP CONNECTIONS THREADS HEY_WORKERS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || { echo "paired.sh: $v must be a positive number, got '${!v}'" >&2; exit 2; }
done
for k in $KINDS; do
  case "$k" in json | stream) ;; *) echo "paired.sh: KINDS entries must be json or stream" >&2; exit 2 ;; esac
done

log() { printf '[paired %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

declare -a NAMES=()
declare -A HOME_OF=() YAML_OF=()
for g in $GATEWAYS; do
  name="${g%%=*}"; spec="${g#*=}"
  [[ "$name" =~ ^[a-z][a-z0-9-]*$ ]] || die "gateway name '$name' (expected: lower case letters, digits, dashes)"
  [ -z "${HOME_OF[$name]:-}" ] || die "gateway '$name' named twice"
  home="${spec%%+*}"; yaml=""; [ "$home" != "$spec" ] && yaml="${spec#*+}"
  [ -x "$home/bin/tollgate" ] && [ -f "$home/target/tollgate.jar" ] \
    || die "gateway '$name': no bin/tollgate and target/tollgate.jar under '$home' (bench/metering.sh builds the OFF gateway)"
  [ -z "$yaml" ] || [ -r "$yaml" ] || die "gateway '$name': cannot read '$yaml'"
  NAMES+=("$name"); HOME_OF[$name]="$(cd "$home" && pwd)"; YAML_OF[$name]="$yaml"
done
[ "${#NAMES[@]}" -ge 2 ] || die "GATEWAYS needs at least two gateways"
PROFILER="${PROFILER:-}"
PROFILER_EVENT="${PROFILER_EVENT:-cpu}"
KEEP_DATA="${KEEP_DATA:-0}"
case "$PROFILER_EVENT" in
  cpu) PROFILER_ARGS="event=cpu,interval=1ms"; PROFILE_OUT="collapsed"; PROFILE_SCALE=1000
    PROFILE_WHAT="a sample per ms of CPU, over all cycles; µs per request" ;;
  alloc) PROFILER_ARGS="event=alloc,alloc=512k"; PROFILE_OUT="collapsed,total"; PROFILE_SCALE=1
    PROFILE_WHAT="bytes allocated as sampled every 512 KiB, over all cycles; bytes per request" ;;
  *) echo "paired.sh: PROFILER_EVENT: '$PROFILER_EVENT' (expected: cpu or alloc)" >&2; exit 2 ;;
esac
[ -z "$PROFILER" ] || [ -r "$PROFILER" ] || { echo "paired.sh: PROFILER: cannot read '$PROFILER'" >&2; exit 2; }
for c in nginx wrk hey curl jq sqlite3 ss taskset; do command -v "$c" >/dev/null 2>&1 || die "missing $c (apt-get install nginx wrk hey curl jq sqlite3 iproute2)"; done

TS="$(date +%Y%m%d-%H%M%S)"
RUN_DIR="$OUT/paired-$TS"
RESULTS="$OUT/paired-$TS.md"
mkdir -p "$RUN_DIR"
HZ="$(getconf CLK_TCK)"
ulimit -n 65536 2>/dev/null || true

# ---------------------------------------------------------------------------------------------------
NGINX_PID=""
declare -A PID_OF=() PORT_OF=() KEY_OF=() OK_OF=() REV_OF=()
cleanup() {
  local rc=$? n
  for n in "${NAMES[@]}"; do
    if [ -n "${PID_OF[$n]:-}" ] && kill -0 "${PID_OF[$n]}" 2>/dev/null; then
      kill -TERM "${PID_OF[$n]}" 2>/dev/null
      for _ in $(seq 1 150); do kill -0 "${PID_OF[$n]}" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "${PID_OF[$n]}" 2>/dev/null || true
    fi
  done
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM -- "-$NGINX_PID" 2>/dev/null || kill -TERM "$NGINX_PID" 2>/dev/null || true
  fi
  wait 2>/dev/null
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

USED_PORTS=" "
pick_port() { # pick_port VAR
  local p
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    case "$USED_PORTS" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then USED_PORTS+="$p "; printf -v "$1" '%s' "$p"; return 0; fi
  done
  die "no free port found"
}
wait_http() { # wait_http URL SECONDS PID
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$3" 2>/dev/null || return 2
    curl -s -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.25
  done
  return 1
}
proc_cpu() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Jiffies by thread group, space separated: event loops, virtual-thread carriers, WAL writer, GC, JIT, the rest.
group_cpu() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "$t/stat" 2>/dev/null)"
  done | awk -F '\t' '
    $1 ~ /^vert\.x-eventlo/ { g[1] += $2; next }
    $1 ~ /^ForkJoinPool/ { g[2] += $2; next }
    $1 ~ /^wal-writer/ { g[3] += $2; next }
    $1 ~ /^(GC Thread|G1 )/ { g[4] += $2; next }
    $1 ~ /^C[12] CompilerThre/ { g[5] += $2; next }
    { g[6] += $2 }
    END { printf "%d %d %d %d %d %d\n", g[1], g[2], g[3], g[4], g[5], g[6] }'
}

# nginx: the canned upstreams of bench/run.sh's path (a), json and SSE.
NGX="$RUN_DIR/nginx"
mkdir -p "$NGX/www" "$NGX/tmp" "$NGX/logs"
cp "$LIB/chat-completion.json" "$LIB/chat-stream.sse" "$NGX/www/"
chmod -R a+rX "$NGX"
pick_port PORT_JSON; pick_port PORT_SSE
# shellcheck source=bench/lib/canned-nginx.sh
. "$LIB/canned-nginx.sh"
# shellcheck source=bench/lib/hey.sh
. "$LIB/hey.sh"
cat >"$NGX/nginx.conf" <<EOF
$(nginx_head auto)
$(canned_json_block "$PORT_JSON")
$(canned_sse_block "$PORT_SSE")
}
EOF
setsid "${PIN_LOAD[@]}" nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" >"$NGX/logs/stdout.log" 2>&1 &
NGINX_PID=$!
for p in $PORT_JSON $PORT_SSE; do
  wait_http "http://127.0.0.1:$p/" 15 "$NGINX_PID" || { cat "$NGX/logs/error.log" >&2; die "nginx did not come up on :$p"; }
done
log "nginx canned upstreams: json :$PORT_JSON, sse :$PORT_SSE"

# ---------------------------------------------------------------------------------------------------
# The gateways, one after the other (starting one costs CPU the others would feel).
MASTER_KEY="tg-bench-master-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
for n in "${NAMES[@]}"; do
  dir="$RUN_DIR/$n"; mkdir -p "$dir"
  pick_port port; PORT_OF[$n]="$port"
  {
    cat <<EOF
server:
  host: 127.0.0.1
  port: $port
  drain_timeout: 5s
database:
  url: "jdbc:sqlite:$dir/tollgate.db"   # the usage ledger's log goes next to it, in $dir/wal
auth:
  master_key: "\${BENCH_MASTER_KEY}"
logging:
  level: warn
  access_log: false
providers:
  - { name: canned-json, type: openai, base_url: "http://127.0.0.1:$PORT_JSON/v1" }
  - { name: canned-sse, type: openai, base_url: "http://127.0.0.1:$PORT_SSE/v1" }
models:
  - name: bench-json
    deployments:
      - { provider: canned-json, model: gpt-4o-mini }
  - name: bench-stream
    deployments:
      - { provider: canned-sse, model: gpt-4o-mini }
EOF
    [ -z "${YAML_OF[$n]}" ] || { echo "# From ${YAML_OF[$n]}:"; cat "${YAML_OF[$n]}"; }
  } >"$dir/tollgate.yaml"
  # What is running, as of its start (the sources may change while it runs).
  rev="$(git -C "${HOME_OF[$n]}" rev-parse --short HEAD 2>/dev/null || true)"
  if [ -z "$rev" ] || [ "$(git -C "${HOME_OF[$n]}" rev-parse --show-toplevel 2>/dev/null)" != "${HOME_OF[$n]}" ]; then
    rev="$(basename "${HOME_OF[$n]}")"
  elif ! git -C "${HOME_OF[$n]}" diff --quiet HEAD -- src pom.xml 2>/dev/null; then
    rev="$rev + uncommitted changes"
  fi
  REV_OF[$n]="$rev"
  log "starting $n (${HOME_OF[$n]}${YAML_OF[$n]:+ + ${YAML_OF[$n]}}, $rev) on :$port"
  (cd "$dir" && BENCH_MASTER_KEY="$MASTER_KEY" exec setsid "${PIN_GATEWAY[@]}" "${HOME_OF[$n]}/bin/tollgate" serve --config "$dir/tollgate.yaml") \
    >"$dir/tollgate.log" 2>&1 &
  PID_OF[$n]=$!
  wait_http "http://127.0.0.1:$port/health/live" 600 "${PID_OF[$n]}" || { tail -n 30 "$dir/tollgate.log" >&2; die "$n did not start"; }
  # setsid may have forked: from here on, the JVM's own pid (its CPU is what is measured).
  PID_OF[$n]="$(pgrep -f -- "tollgate.jar serve --config $dir/tollgate.yaml" | head -n 1)"
  [ -n "${PID_OF[$n]}" ] || die "$n: cannot find its JVM"
  for _ in $(seq 1 120); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready")" = 200 ] && break
    sleep 0.25
  done
  resp="$(curl -s --max-time 10 -X POST "http://127.0.0.1:$port/admin/v1/keys" -H "Authorization: Bearer $MASTER_KEY" \
    -H 'Content-Type: application/json' -d '{"name":"bench"}')"
  KEY_OF[$n]="$(printf '%s' "$resp" | jq -r .key)"
  [[ "${KEY_OF[$n]}" == tg-* ]] || die "$n: creating a key answered: $resp"
  OK_OF[$n]=0
done

body_for() { [ "$1" = json ] && echo "$LIB/request.json" || echo "$LIB/request-stream.json"; }
field() { sed -n "s/.*BENCH_RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1; }
# run_hey NAME KIND SECONDS FILE: as run_wrk, at RATE requests a second; appends to FILE the BENCH_RESULT line
# post.lua makes for wrk (hey prints latencies to 0.1 ms and has no separate socket error kinds).
run_hey() {
  local n="$1" kind="$2" secs="$3" f="$4" ok bad errs rps
  timeout -k 5 $((secs + 60)) "${PIN_LOAD[@]}" hey -z "${secs}s" -c "$HEY_WORKERS" \
    -q "$(awk -v r="$RATE" -v w="$HEY_WORKERS" 'BEGIN {printf "%g", r / w}')" -t 10 -m POST -T application/json \
    -H "Authorization: Bearer ${KEY_OF[$n]}" -D "$(body_for "$kind")" \
    "http://127.0.0.1:${PORT_OF[$n]}/v1/chat/completions" >"$f" 2>&1 || log "hey exited non-zero for $n $kind (see $f)"
  ok="$(hey_field "$f" ok)"; bad="$(hey_field "$f" bad)"; errs="$(hey_field "$f" errors)"; rps="$(hey_field "$f" rps)"
  [ $((ok + bad)) -gt 0 ] || die "hey against $n produced no result: $(head -c 300 "$f")"
  awk -v n=$((ok + bad)) -v rps="${rps:-0}" -v p50="$(hey_field "$f" p50)" -v p99="$(hey_field "$f" p99)" \
    -v errs="$errs" -v bad="$bad" 'BEGIN {
      printf "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=0 p99_us=%d max_us=0 mean_us=0 " \
        "connect_err=%d read_err=0 write_err=0 timeout_err=0 status_err=%d bytes=0\n",
        n, (rps > 0 ? n / rps : 0), rps, p50 * 1000, p99 * 1000, errs, bad }' >>"$f"
  OK_OF[$n]=$((OK_OF[$n] + ok))
}

# run_wrk NAME KIND SECONDS FILE: one wrk run; adds its successful responses to OK_OF[NAME]
run_wrk() {
  [ "$RATE" = 0 ] || { run_hey "$@"; return; }
  local n="$1" kind="$2" secs="$3" f="$4" req st
  BENCH_BODY="$(body_for "$kind")" BENCH_KEY="${KEY_OF[$n]}" timeout -k 5 $((secs + 60)) \
    "${PIN_LOAD[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --timeout 10s --latency -s "$LIB/post.lua" \
    "http://127.0.0.1:${PORT_OF[$n]}/v1/chat/completions" >"$f" 2>&1 || log "wrk exited non-zero for $n $kind (see $f)"
  req="$(field "$f" requests)"; st="$(field "$f" status_err)"
  [ -n "$req" ] || die "wrk against $n produced no result: $(head -c 300 "$f")"
  OK_OF[$n]=$((OK_OF[$n] + req - st))
}

for n in "${NAMES[@]}"; do
  for kind in $KINDS; do
    secs="$WARMUP"; [ "$kind" = stream ] && secs=$(( (WARMUP + 2) / 3 ))
    log "warm-up: $n $kind ${secs}s"
    run_wrk "$n" "$kind" "$secs" "$RUN_DIR/warmup-$n-$kind.txt"
  done
done

# ---------------------------------------------------------------------------------------------------
# Cycles. Results: one line per run in runs.tsv (cycle kind name place rps p50_us p99_us tollgate_us errors, then
# Tollgate's CPU µs/req by thread group: event loops, carriers, WAL writer, GC, JIT, the rest).
TSV="$RUN_DIR/runs.tsv"
: >"$TSV"
# The profiler runs from the first cycle to the last: an idle gateway's flusher draining the last run is counted too.
profiler() { # profiler NAME COMMAND
  "$JAVA_HOME/bin/java" "$LIB/AgentLoad.java" "${PID_OF[$1]}" "$PROFILER" "$2" >"$RUN_DIR/$1/profiler.log" 2>&1 \
    || die "$1: cannot load the profiler: $(cat "$RUN_DIR/$1/profiler.log")"
}
if [ -n "$PROFILER" ]; then
  for n in "${NAMES[@]}"; do profiler "$n" "start,$PROFILER_ARGS,threads"; done
fi
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
count="${#NAMES[@]}"
for cycle in $(seq 1 "$CYCLES"); do
  shift_by=$(( (cycle - 1) % count ))
  order=("${NAMES[@]:shift_by}" "${NAMES[@]:0:shift_by}")
  for kind in $KINDS; do
    place=0
    for n in "${order[@]}"; do
      place=$((place + 1))
      sleep "$GAP"
      f="$RUN_DIR/c$cycle-$kind-$n.txt"
      read -ra g0 < <(group_cpu "${PID_OF[$n]}")
      c0="$(proc_cpu "${PID_OF[$n]}")"
      run_wrk "$n" "$kind" "$DURATION" "$f"
      c1="$(proc_cpu "${PID_OF[$n]}")"
      read -ra g1 < <(group_cpu "${PID_OF[$n]}")
      req="$(field "$f" requests)"
      errs=$(( $(field "$f" status_err) + $(field "$f" connect_err) + $(field "$f" read_err) + $(field "$f" write_err) + $(field "$f" timeout_err) ))
      us="$(awk -v d=$((c1 - c0)) -v r="$req" -v hz="$HZ" 'BEGIN { printf "%.1f", (r > 0 ? d * 1e6 / hz / r : 0) }')"
      split="$(for i in 0 1 2 3 4 5; do
        awk -v d=$((g1[i] - g0[i])) -v r="$req" -v hz="$HZ" 'BEGIN { printf "\t%.1f", (r > 0 ? d * 1e6 / hz / r : 0) }'
      done)"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n' "$cycle" "$kind" "$n" "$place" "$(field "$f" rps)" \
        "$(field "$f" p50_us)" "$(field "$f" p99_us)" "$us" "$errs" "$split" >>"$TSV"
      log "cycle $cycle/$CYCLES $kind $n: $(field "$f" rps) req/s, $us µs/req, $errs errors"
    done
  done
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$PROFILER" ]; then
  for n in "${NAMES[@]}"; do profiler "$n" "stop,file=$RUN_DIR/$n/profile.collapsed,$PROFILE_OUT"; done
fi

# ---------------------------------------------------------------------------------------------------
# Stop gracefully (the ledger drains into the database), then check that nothing was lost.
declare -a CHECKS=()
for n in "${NAMES[@]}"; do
  kill -TERM "${PID_OF[$n]}"
  for _ in $(seq 1 600); do kill -0 "${PID_OF[$n]}" 2>/dev/null || break; sleep 0.1; done
  kill -0 "${PID_OF[$n]}" 2>/dev/null && die "$n did not stop within 60 s of SIGTERM"
  PID_OF[$n]=""
  db="$RUN_DIR/$n/tollgate.db"
  rows="$(sqlite3 "$db" 'SELECT count(*) FROM usage_events')"
  check="$n: $rows usage rows for ${OK_OF[$n]} successful responses"
  [ "$rows" -ge "${OK_OF[$n]}" ] || check="$check (**rows missing**)"
  if sqlite3 "$db" "SELECT 1 FROM budget_spend LIMIT 1" 2>/dev/null | grep -q 1; then
    spent="$(sqlite3 "$db" 'SELECT sum(spent_micros) FROM budget_spend')"
    cost="$(sqlite3 "$db" 'SELECT sum(cost_micros) FROM usage_events')"
    check="$check; budget spend $spent µ\$ against $cost µ\$ in usage_events$([ "$spent" = "$cost" ] || echo ' (**differs**)')"
  fi
  warn="$(grep -cE '(^|[ "])(WARN|ERROR)([ "]|$)|Exception' "$RUN_DIR/$n/tollgate.log" || true)"
  [ "${warn:-0}" = 0 ] || check="$check; **$warn WARN/ERROR lines in its log**"
  CHECKS+=("$check")
  log "$check"
  # A run's databases and write-ahead logs reach gigabytes (two million rows a gateway in 15 cycles): once checked,
  # they go, unless KEEP_DATA=1 (the gateway's own log stays). Several runs in a row filled this machine's disk.
  [ "$KEEP_DATA" = 1 ] || rm -rf "$db" "$db-wal" "$db-shm" "$RUN_DIR/$n/wal"
done

# ---------------------------------------------------------------------------------------------------
# Report: per kind, medians over the cycles of req/s, latency and CPU, and of the ratios taken within each cycle.
BASE="${NAMES[0]}"
median() { sort -g | awk '{a[NR] = $1} END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -F '\t' -v k="$1" -v n="$2" -v c="$3" '$2 == k && $3 == n {print $c}' "$TSV"; }
ratios() { # ratios KIND NAME COLUMN: per cycle, NAME's value over BASE's
  awk -F '\t' -v k="$1" -v n="$2" -v b="$BASE" -v c="$3" '$2 == k && $3 == n {x[$1] = $c} $2 == k && $3 == b {y[$1] = $c}
    END { for (i in x) if (y[i] > 0) printf "%.4f\n", x[i] / y[i] }' "$TSV"
}
# interval: a 95% bootstrap interval of the median of the numbers on stdin (2,000 resamples, fixed seed: the
# same runs always give the same interval). It says how far the median could move with other cycles like these.
interval() {
  awk 'function med(b, n,   i, j, t) {
         for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
         return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
       { a[++n] = $1 }
       END {
         if (n < 3) { print "n/a"; exit }
         srand(20261127)
         for (r = 1; r <= 2000; r++) { for (i = 1; i <= n; i++) s[i] = a[int(rand() * n) + 1]; m[r] = med(s, n) }
         med(m, 2000)
         printf "%.2f-%.2f", m[50], m[1951] }'
}
fmt() { awk -v x="$1" -v d="$2" 'BEGIN { if (x ~ /^[0-9.]+$/) printf "%." d "f", x; else printf "%s", x }'; }
build_of() { printf '%s' "${1%-jvm[0-9]*}"; }
declare -a BUILDS=()
for n in "${NAMES[@]}"; do
  b="$(build_of "$n")"; [[ " ${BUILDS[*]} " == *" $b "* ]] || BUILDS+=("$b")
done
BASE_BUILD="$(build_of "$BASE")"
pooled() { # pooled KIND BUILD: per cycle, the mean req/s of BUILD's JVMs over the mean of the baseline build's
  awk -F '\t' -v k="$1" -v g="$2" -v b="$BASE_BUILD" 'function build(n) { sub(/-jvm[0-9]+$/, "", n); return n }
    $2 == k && build($3) == g { xs[$1] += $5; xn[$1]++ } $2 == k && build($3) == b { ys[$1] += $5; yn[$1]++ }
    END { for (i in xs) if (yn[i] > 0 && ys[i] > 0) printf "%.4f\n", (xs[i] / xn[i]) / (ys[i] / yn[i]) }' "$TSV"
}
{
  echo "# Gateways side by side, $TS"
  echo
  load="wrk -t$THREADS -c$CONNECTIONS"; [ "$RATE" = 0 ] || load="hey at $RATE req/s ($HEY_WORKERS workers; CPU per request is the measure)"
  echo "- $CYCLES cycles; in each, for each request kind, every gateway measured once by $load for ${DURATION}s," \
    "${GAP}s apart, the order rotated each cycle; warm-up ${WARMUP}s json and $(( (WARMUP + 2) / 3 ))s stream per gateway first." \
    "Path: load generator -> Tollgate -> nginx canned upstream (bench/run.sh's path (c)); SQLite; the gateways not measured are idle." \
    "$([ "$PIN" = 1 ] && echo "Pinned: every gateway on CPU 1, wrk and nginx on CPU 0.")"
  for n in "${NAMES[@]}"; do
    echo "- **$n**: ${HOME_OF[$n]#"$ROOT"/} (${REV_OF[$n]})${YAML_OF[$n]:+, with ${YAML_OF[$n]#"$ROOT"/}: $(grep -v '^#' "${YAML_OF[$n]}" | tr -s ' \n' ' ')}"
  done
  echo "- Machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)); load average before the cycles: $LOAD_START, after: $LOAD_END"
  echo
  echo "| Kind | Gateway | req/s (median) | p50 ms | p99 ms | Tollgate CPU µs/req | req/s / $BASE (median of per-cycle ratios; min-max) | 95% interval of that median | CPU / $BASE |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for kind in $KINDS; do
    for n in "${NAMES[@]}"; do
      rps="$(col "$kind" "$n" 5 | median)"; p50="$(col "$kind" "$n" 6 | median)"; p99="$(col "$kind" "$n" 7 | median)"
      cpu="$(col "$kind" "$n" 8 | median)"
      if [ "$n" = "$BASE" ]; then rr="—"; ci="—"; cr="—"; else
        ci="$(ratios "$kind" "$n" 5 | interval)"
        rr="**$(fmt "$(ratios "$kind" "$n" 5 | median)" 2)** ($(ratios "$kind" "$n" 5 | sort -g | sed -n '1p;$p' | xargs printf '%.2f-' | sed 's/-$//'))"
        cr="$(fmt "$(ratios "$kind" "$n" 8 | median)" 2)"
      fi
      echo "| $kind | $n | $(fmt "$rps" 0) | $(awk -v u="$p50" 'BEGIN{printf "%.2f", u/1000}') | $(awk -v u="$p99" 'BEGIN{printf "%.2f", u/1000}') | $(fmt "$cpu" 1) | $rr | $ci | $cr |"
    done
  done
  echo
  if [ "${#BUILDS[@]}" -lt "${#NAMES[@]}" ]; then
    echo "Pooled by build (NAME-jvmN is another JVM of NAME): per cycle, the mean req/s of a build's JVMs over the" \
      "mean of $BASE_BUILD's; medians over the cycles, 95% bootstrap interval of the median:"
    echo
    echo "| Kind | Build | JVMs | req/s / $BASE_BUILD (median; min-max) | 95% interval |"
    echo "|---|---|---:|---:|---:|"
    for kind in $KINDS; do
      for b in "${BUILDS[@]}"; do
        jvms=0; for n in "${NAMES[@]}"; do [ "$(build_of "$n")" = "$b" ] && jvms=$((jvms + 1)); done
        if [ "$b" = "$BASE_BUILD" ]; then
          echo "| $kind | $b | $jvms | — | — |"
        else
          echo "| $kind | $b | $jvms | **$(fmt "$(pooled "$kind" "$b" | median)" 2)** ($(pooled "$kind" "$b" | sort -g | sed -n '1p;$p' | xargs printf '%.2f-' | sed 's/-$//')) | $(pooled "$kind" "$b" | interval) |"
        fi
      done
    done
    echo
  fi
  echo "Tollgate's CPU per request by thread group (µs, medians over the cycles; from /proc/<pid>/task/*/stat around each run):"
  echo
  echo "| Kind | Gateway | event loops | virtual-thread carriers | WAL writer | GC | JIT | other |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for kind in $KINDS; do
    for n in "${NAMES[@]}"; do
      printf '| %s | %s |' "$kind" "$n"
      for c in 10 11 12 13 14 15; do printf ' %s |' "$(fmt "$(col "$kind" "$n" "$c" | median)" 1)"; done
      echo
    done
  done
  echo
  if [ -n "$PROFILER" ]; then
    echo "Where the $([ "$PROFILER_EVENT" = cpu ] && echo CPU || echo garbage) went (async-profiler, $PROFILE_WHAT of both kinds," \
      "requests counted from wrk's runs; a sample is put under the metering package nearest its leaf frame, else" \
      "under its leaf frame's):"
    echo
    echo "| Thread group | Category | $(printf '%s | ' "${NAMES[@]}")"
    echo "|---|---|$(printf -- '---:|%.0s' "${NAMES[@]}")"
    for n in "${NAMES[@]}"; do
      reqs="$(awk -F '\t' -v n="$n" '$3 == n { s += $5 * '"$DURATION"' } END { printf "%d", s }' "$TSV")"
      awk -f "$LIB/profile-breakdown.awk" "$RUN_DIR/$n/profile.collapsed" \
        | awk -F '\t' -v n="$n" -v r="$reqs" '{ printf "%s\t%s\t%s\t%.2f\n", $1, $2, n, $3 * '"$PROFILE_SCALE"' / r }'
    done >"$RUN_DIR/profile.tsv"
    awk -F '\t' '{ k = $1 "\t" $2; v[k, $3] = $4; t[k] += $4; keys[k] = 1 }
      END { for (k in keys) if (t[k] >= 0.3) print k }' "$RUN_DIR/profile.tsv" | sort | while IFS=$'\t' read -r grp catg; do
      printf '| %s | %s |' "$grp" "$catg"
      for n in "${NAMES[@]}"; do
        printf ' %s |' "$(awk -F '\t' -v g="$grp" -v c="$catg" -v n="$n" '$1 == g && $2 == c && $3 == n { x = $4 } END { printf "%.1f", x }' "$RUN_DIR/profile.tsv")"
      done
      echo
    done
    printf '| all | all |'
    for n in "${NAMES[@]}"; do
      printf ' %s |' "$(awk -F '\t' -v n="$n" '$3 == n { x += $4 } END { printf "%.1f", x }' "$RUN_DIR/profile.tsv")"
    done
    echo
    echo
  fi
  echo "Every run (req/s, Tollgate CPU µs/req; place = position in its cycle's order):"
  echo
  echo "| Cycle | Kind | $(printf '%s | ' "${NAMES[@]}")"
  echo "|---:|---|$(printf -- '---:|%.0s' "${NAMES[@]}")"
  for cycle in $(seq 1 "$CYCLES"); do
    for kind in $KINDS; do
      printf '| %s | %s |' "$cycle" "$kind"
      for n in "${NAMES[@]}"; do
        awk -F '\t' -v c="$cycle" -v k="$kind" -v n="$n" '$1 == c && $2 == k && $3 == n { printf " %.0f, %.1f (%s) |", $5, $8, $4 }' "$TSV"
      done
      echo
    done
  done
  echo
  echo "Nothing lost:"
  echo
  for c in "${CHECKS[@]}"; do echo "- $c"; done
  echo
  echo "Command: \`$(printf '%q ' env CYCLES="$CYCLES" DURATION="$DURATION" WARMUP="$WARMUP" GAP="$GAP" KINDS="$KINDS" CONNECTIONS="$CONNECTIONS" THREADS="$THREADS" PIN="$PIN" ${PROFILER:+PROFILER="$PROFILER" PROFILER_EVENT="$PROFILER_EVENT"} GATEWAYS="$GATEWAYS" | sed 's/ $//') bench/paired.sh\`"
} >"$RESULTS"
log "results written to $RESULTS"
cat "$RESULTS"
