#!/usr/bin/env bash
# Usage-ledger benchmark (issue 5): the real Ledger (write-ahead log on disk under bench/out, its flusher,
# JdbiUsageStore on a SQLite file and on an embedded PostgreSQL) fed with synthetic calls by
# bench/lib/LedgerBench.java; and the write-ahead log alone. See bench/README.md.
#
#   1. WAL alone, flat out (append + group-commit fsync; intent + event per call), at each WAL_CONCURRENCY
#   2. WAL alone, paced at RATE calls/s, for each commit interval in COMMIT_SWEEP (the intent's wait)
#   3. per database: the ledger paced at RATE calls/s for SECONDS, then flat out for MAX_SECONDS
#
# Usage: bench/ledger.sh [--quick]
# Environment (defaults in brackets; --quick shortens the durations):
#   RATE             paced calls per second (each call = intent + usage event) [5000]
#   SECONDS_PACED    seconds of paced load per database [30; quick 5]
#   SECONDS_MAX      seconds of flat-out load (WAL alone and per database) [20; quick 5]
#   SECONDS_SWEEP    seconds per commit interval of the sweep [10; quick 3]
#   CONCURRENCY      calls in flight when flat out, ledger runs [1024]
#   WAL_CONCURRENCY  calls in flight for the WAL-alone ceiling, space separated ["64 1024"]
#   COMMIT_INTERVAL_MS  ledger.wal.commit_interval of every run but the sweep [10, the default]
#   COMMIT_SWEEP     commit intervals (ms) for the paced WAL-alone sweep ["0 1 2 5 10"]
#   DBS              databases ["sqlite postgresql"]
#   FLUSH_BATCH      ledger.flush_batch [4000, the default]
#   DRAIN_MAX        seconds to wait after the load for the database to catch up; the rest stays in the log [120; quick 30]
#   JAVA_HOME        JDK 25 [/usr/lib/jvm/temurin-25-jdk-amd64]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT="$BENCH_DIR/out"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "ledger.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  SECONDS_PACED="${SECONDS_PACED:-5}"; SECONDS_MAX="${SECONDS_MAX:-5}"; SECONDS_SWEEP="${SECONDS_SWEEP:-3}"
else
  SECONDS_PACED="${SECONDS_PACED:-30}"; SECONDS_MAX="${SECONDS_MAX:-20}"; SECONDS_SWEEP="${SECONDS_SWEEP:-10}"
fi
RATE="${RATE:-5000}"
CONCURRENCY="${CONCURRENCY:-1024}"
WAL_CONCURRENCY="${WAL_CONCURRENCY:-64 1024}"
COMMIT_INTERVAL_MS="${COMMIT_INTERVAL_MS:-10}"
COMMIT_SWEEP="${COMMIT_SWEEP:-0 1 2 5 10}"
DBS="${DBS:-sqlite postgresql}"
FLUSH_BATCH="${FLUSH_BATCH:-4000}"
DRAIN_MAX="${DRAIN_MAX:-$([ "$QUICK" = 1 ] && echo 30 || echo 120)}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

log() { printf '[ledger %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -x "$JAVA_HOME/bin/java" ] || die "no JDK at JAVA_HOME=$JAVA_HOME (a JDK 25 is needed)"
for d in $DBS; do case "$d" in sqlite | postgresql) ;; *) die "DBS entries must be sqlite or postgresql, got '$d'" ;; esac; done

TS="$(date +%Y%m%d-%H%M%S)"
RAW="$OUT/ledger-raw-$TS"
RESULTS="$OUT/ledger-$TS.md"
mkdir -p "$RAW"

# The project's classes and its test-scope classpath (embedded PostgreSQL), rebuilt when the sources changed.
cp_file="$ROOT/target/bench-classpath.txt"
if [ ! -f "$cp_file" ] || [ ! -d "$ROOT/target/classes" ] \
  || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$cp_file" -print -quit 2>/dev/null)" ]; then
  log "compiling the project and resolving its test classpath"
  (cd "$ROOT" && timeout 900 ./mvnw -B -q compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file" >"$RAW/build.log" 2>&1) || { tail -n 30 "$RAW/build.log" >&2; die "build failed"; }
  touch "$cp_file"
fi
CLASSES="$OUT/classes"
mkdir -p "$CLASSES"
CP="$ROOT/target/classes:$(cat "$cp_file")"
"$JAVA_HOME/bin/javac" -d "$CLASSES" -cp "$CP" "$BENCH_DIR/lib/LedgerBench.java" >"$RAW/javac.log" 2>&1 \
  || { cat "$RAW/javac.log" >&2; die "compiling bench/lib/LedgerBench.java failed"; }

# One JVM per run, like the gateway's (Parallel GC, bin/tollgate's default).
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xms256m -Xmx1g -cp "$CP:$CLASSES" LedgerBench)
declare -a LINES=() CMDS=()
run() { # run NAME ARGS...: one LedgerBench run, its LEDGER_RESULT line kept
  local name="$1"; shift
  local cmd="LedgerBench $* --dir bench/out/ledger-run"
  log "$name: $cmd"
  "${JAVA[@]}" "$@" --dir "$OUT/ledger-run" >"$RAW/$name.log" 2>&1 || { tail -n 30 "$RAW/$name.log" >&2; die "$name failed (see $RAW/$name.log)"; }
  local line
  line="$(grep '^LEDGER_RESULT ' "$RAW/$name.log" | tail -n 1)"
  [ -n "$line" ] || die "$name printed no result (see $RAW/$name.log)"
  LINES+=("name=$name ${line#LEDGER_RESULT }"); CMDS+=("$cmd")
}
field() { # field NAME KEY
  local l
  for l in "${LINES[@]}"; do
    case "$l" in "name=$1 "*) sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $l"; return ;; esac
  done
}

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
for c in $WAL_CONCURRENCY; do
  run "wal-max-c$c" --mode wal --rate 0 --concurrency "$c" --seconds "$SECONDS_MAX" --commit-interval-ms "$COMMIT_INTERVAL_MS"
done
for ci in $COMMIT_SWEEP; do
  run "wal-paced-ci$ci" --mode wal --rate "$RATE" --seconds "$SECONDS_SWEEP" --commit-interval-ms "$ci"
done
for db in $DBS; do
  run "$db-paced" --mode ledger --db "$db" --rate "$RATE" --seconds "$SECONDS_PACED" \
    --commit-interval-ms "$COMMIT_INTERVAL_MS" --flush-batch "$FLUSH_BATCH" --drain-max-s "$DRAIN_MAX"
  run "$db-max" --mode ledger --db "$db" --rate 0 --concurrency "$CONCURRENCY" --seconds "$SECONDS_MAX" \
    --commit-interval-ms "$COMMIT_INTERVAL_MS" --flush-batch "$FLUSH_BATCH" --drain-max-s "$DRAIN_MAX"
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$OUT/ledger-run"

{
  echo "# Usage-ledger benchmark, $TS"
  echo
  echo "- Run: $([ "$QUICK" = 1 ] && echo 'quick (not for comparison)' || echo full); paced $RATE calls/s for ${SECONDS_PACED}s per database," \
    "flat out ${SECONDS_MAX}s (ledger: $CONCURRENCY calls in flight); commit_interval ${COMMIT_INTERVAL_MS} ms, flush_batch $FLUSH_BATCH records"
  echo "- Machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), $(uname -r);" \
    "load average before: $LOAD_START, after: $LOAD_END; disk under bench/out: $(df -h "$OUT" | awk 'NR == 2 {print $1}')"
  echo "- Code: commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1);" \
    "PostgreSQL: $(field postgresql-paced pg | tr ',' ' ')"
  echo "- A call = its intent (\`begin\`, waited for until on disk: the wait every request has before going upstream)" \
    "then its usage event (\`end\`) from one of two 'event loop' threads. Record sizes (the ledger's own encoding):" \
    "intent $(field "wal-max-c${WAL_CONCURRENCY%% *}" intent_bytes) B, event $(field "wal-max-c${WAL_CONCURRENCY%% *}" event_bytes) B."
  echo "- CPU: this JVM (producer, ledger, SQLite in-process) + the PostgreSQL server's processes, from the start of the load" \
    "until every event is in the database, per call; 'other' = cores used by other processes meanwhile."
  echo
  echo "## Ledger into the database"
  echo
  echo "| Database | Load | calls/s | events/s into the DB (load window) | batch mean / max (events) | insert ms mean / max | lag events p50 / p99 / max | lag s p50 / p99 / max | WAL disk max MB | intent wait p50 / p99 / max ms | drain after load | CPU µs/call (cores; other) | rows + left in the log = calls ended |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"
  for db in $DBS; do
    for k in paced max; do
      n="$db-$k"
      load="$([ "$k" = paced ] && echo "paced $RATE/s" || echo "flat out, $CONCURRENCY in flight")"
      drain="$(field "$n" lag_at_end_events) events in $(field "$n" drain_s) s"
      [ "$(field "$n" drained)" = true ] || drain="**not drained** after $(field "$n" drain_s) s of $(field "$n" lag_at_end_events) events"
      [ "$(field "$n" drain_events_per_s)" = n/a ] || drain="$drain ($(field "$n" drain_events_per_s)/s)"
      echo "| $db | $load | $(field "$n" calls_per_s) | $(field "$n" db_events_per_s) | $(field "$n" batch_mean) / $(field "$n" batch_max) | $(field "$n" insert_ms_mean) / $(field "$n" insert_ms_max) | $(field "$n" lag_events_p50) / $(field "$n" lag_events_p99) / $(field "$n" lag_events_max) | $(field "$n" lag_s_p50) / $(field "$n" lag_s_p99) / $(field "$n" lag_s_max) | $(field "$n" wal_disk_mb_max) | $(field "$n" intent_p50_ms) / $(field "$n" intent_p99_ms) / $(field "$n" intent_max_ms) | $drain | $(field "$n" cpu_us_per_call) ($(field "$n" cpu_cores_busy); $(field "$n" cpu_other_cores)) | $(field "$n" rows) + $(field "$n" left_in_log) left in the log = $(field "$n" ended): $(field "$n" rows_ok) |"
    done
  done
  echo
  echo "Paced: behind schedule at most $(for db in $DBS; do printf '%s %s ms; ' "$db" "$(field "$db-paced" behind_schedule_max_ms)"; done)" \
    "refused for lack of room: $(for db in $DBS; do for k in paced max; do printf '%s ' "$(field "$db-$k" refused_no_room)"; done; done);" \
    "failed batches / appends: $(for db in $DBS; do for k in paced max; do printf '%s/%s ' "$(field "$db-$k" failed_batches)" "$(field "$db-$k" failed_appends)"; done; done)."
  echo "The database's own ceiling (events per second of insert time, flat out): $(for db in $DBS; do printf '%s %s/s; ' "$db" "$(field "$db-max" db_max_events_per_s)"; done)"
  echo
  echo "## Write-ahead log alone (append + group-commit fsync, no database)"
  echo
  echo "| Load | commit_interval ms | calls/s (2 records each) | intent wait p50 / p99 / max ms | CPU µs/call (cores; other) |"
  echo "|---|---:|---:|---:|---:|"
  for c in $WAL_CONCURRENCY; do
    n="wal-max-c$c"
    echo "| flat out, $c in flight | $(field "$n" commit_interval_ms) | $(field "$n" calls_per_s) | $(field "$n" intent_p50_ms) / $(field "$n" intent_p99_ms) / $(field "$n" intent_max_ms) | $(field "$n" cpu_us_per_call) ($(field "$n" cpu_cores_busy); $(field "$n" cpu_other_cores)) |"
  done
  for ci in $COMMIT_SWEEP; do
    n="wal-paced-ci$ci"
    echo "| paced $RATE/s | $(field "$n" commit_interval_ms) | $(field "$n" calls_per_s) | $(field "$n" intent_p50_ms) / $(field "$n" intent_p99_ms) / $(field "$n" intent_max_ms) | $(field "$n" cpu_us_per_call) ($(field "$n" cpu_cores_busy); $(field "$n" cpu_other_cores)) |"
  done
  echo
  echo "## Commands"
  echo
  echo '```'
  for c in "${CMDS[@]}"; do echo "java ... $c"; done
  echo '```'
  echo
  echo "Raw output: \`${RAW#"$ROOT"/}/\` (one log per run, each ending in its LEDGER_RESULT line)."
} >"$RESULTS"
cat "$RESULTS"
log "results written to $RESULTS"
