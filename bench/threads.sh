#!/usr/bin/env bash
# Where Tollgate's CPU goes, per request and per thread group, at a fixed request rate: for each variant
# (OFF, LEDGER, FULL as in bench/metering.sh), one bench/run.sh of path (c), json; during the hey run at RATE
# requests/s, the user and system CPU time of every Tollgate thread is read from /proc twice, WINDOW seconds
# apart, summed by group (event loops, virtual-thread carriers, the WAL writer, JIT compilers, GC, other) and
# divided by the requests of the window. Unlike req/s under saturation this hardly depends on what else the
# machine does, so it shows which part of the gateway a change moved.
#
# Usage: bench/threads.sh
# Environment (defaults in brackets):
#   VARIANTS   which variants, in order ["off ledger full"]
#   ROUNDS     rounds of the variants, interleaved [2]
#   RATE       hey request rate [4000]
#   WINDOW     seconds measured [10], starting 3 s into a hey run of WINDOW + 6 s
#   WARMUP     run.sh's wrk warm-up before it [30]
#   OFF_REF    git ref of the OFF build [7e14473] (built by bench/metering.sh; run that once first)
#   JAVA_HOME  JDK 25 [/usr/lib/jvm/temurin-25-jdk-amd64]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$BENCH_DIR/out"
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0; }
VARIANTS="${VARIANTS:-off ledger full}"
ROUNDS="${ROUNDS:-2}"
RATE="${RATE:-4000}"
WINDOW="${WINDOW:-10}"
WARMUP="${WARMUP:-30}"
OFF_REF="${OFF_REF:-7e14473}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
OFF_HOME="$OUT/off-$(git -C "$BENCH_DIR/.." rev-parse --short "$OFF_REF^{commit}")"
HZ="$(getconf CLK_TCK)"
EMPTY="$OUT/threads-empty.yaml"
: >"$EMPTY"

log() { printf '[threads %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Per-group user and system ticks of one process: "group user sys" lines.
snapshot() {
  for t in /proc/"$1"/task/*; do
    name="$(cat "$t/comm" 2>/dev/null)" || continue
    awk -v n="$name" '{sub(/^.*\) /, ""); print n "\t" $12 "\t" $13}' "$t/stat" 2>/dev/null || true
  done | awk -F '\t' '
    $1 ~ /^vert\.x-eventlo/ { g = "event-loops" } $1 ~ /^ForkJoinPool/ { g = "vthread-carriers" }
    $1 ~ /^wal-/ { g = "wal-writer" } $1 ~ /^C[12] CompilerThre/ { g = "jit" } $1 ~ /^(GC Thread|G1 )/ { g = "gc" }
    { if (g == "") g = "other"; u[g] += $2; s[g] += $3; g = "" }
    END { for (k in u) print k, u[k], s[k] }' | sort
}

TS="$(date +%Y%m%d-%H%M%S)"
REPORT="$OUT/threads-$TS.md"
{
  echo "# Tollgate CPU per request by thread group, json at $RATE req/s ($TS)"
  echo
  echo "| Variant | Round | event loops | virtual-thread carriers | WAL writer | JIT | GC | other | total (user + sys) µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$REPORT"
for round in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do
    case "$v" in
      off) home="$OFF_HOME"; yaml="$EMPTY" ;;
      ledger) home="$BENCH_DIR/.."; yaml="$EMPTY" ;;
      full) home="$BENCH_DIR/.."; yaml="$OUT/metering-full.yaml" ;;
      *) echo "threads.sh: VARIANTS entries must be off, ledger or full" >&2; exit 2 ;;
    esac
    [ -x "$home/bin/tollgate" ] || { echo "threads.sh: no build at $home (run bench/metering.sh once)" >&2; exit 2; }
    run_log="$OUT/threads-$TS-$v-$round.log"
    log "round $round: $v"
    TOLLGATE_HOME="$home" EXTRA_YAML="$yaml" PATHS=c KINDS=json CONNECTIONS=64 RATES="$RATE" TTFB_REQUESTS=0 \
      DURATION=5 WARMUP="$WARMUP" FIXED_DURATION=$((WINDOW + 6)) "$BENCH_DIR/run.sh" >"$run_log" 2>&1 &
    bench_pid=$!
    until grep -q "hey json (c) Tollgate at $RATE" "$run_log" 2>/dev/null; do
      kill -0 "$bench_pid" 2>/dev/null || { echo "threads.sh: run.sh ended early, see $run_log" >&2; exit 1; }
      sleep 0.5
    done
    sleep 3
    pid="$(pgrep -f 'tollgate.jar' | head -1)"
    snapshot "$pid" >"$OUT/threads-a"
    sleep "$WINDOW"
    snapshot "$pid" >"$OUT/threads-b"
    join "$OUT/threads-a" "$OUT/threads-b" | awk -v hz="$HZ" -v req=$((RATE * WINDOW)) -v v="$v" -v r="$round" '
      { us = (($4 - $2) + ($5 - $3)) * 1e6 / hz / req; t[$1] = sprintf("%.1f", us)
        tu += ($4 - $2) * 1e6 / hz / req; ts += ($5 - $3) * 1e6 / hz / req }
      END { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f (%.1f + %.1f) |\n", v, r, t["event-loops"],
            t["vthread-carriers"], (t["wal-writer"] == "" ? "-" : t["wal-writer"]), t["jit"], t["gc"], t["other"],
            tu + ts, tu, ts }' | tee -a "$REPORT"
    wait "$bench_pid" || log "run.sh reported problems, see $run_log"
  done
done
rm -f "$OUT/threads-a" "$OUT/threads-b"
log "report: $REPORT"
