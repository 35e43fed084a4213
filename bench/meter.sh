#!/usr/bin/env bash
# The metering path alone (issue 5's "budgets and ledger cost", without the proxy around it): what ProxyHandler
# asks of the Meter for each call, with the real ledger (write-ahead log under bench/out, flusher into SQLite)
# and budget store, driven by bench/lib/MeterBench.java at RATE calls/s from THREADS threads; CPU per call by
# thread (the callers stand for the event loops). Several JVMs in turn, each reporting one line, so that a
# change of a microsecond shows against the spread of the runs. See bench/README.md.
#
# Usage: bench/meter.sh
# Environment (defaults in brackets):
#   RUNS       JVMs, one after the other [3]
#   RATE       calls per second [12000]; THREADS calling threads [2]; BURST calls back to back per wake-up [16]
#   WARMUP     seconds before measuring [15]; DURATION seconds measured [20]
#   JAVA_HOME  JDK 25 [/usr/lib/jvm/temurin-25-jdk-amd64]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT="$BENCH_DIR/out"
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0; }
RUNS="${RUNS:-3}"; RATE="${RATE:-12000}"; THREADS="${THREADS:-2}"; BURST="${BURST:-16}"
WARMUP="${WARMUP:-15}"; SECONDS_MEASURED="${DURATION:-20}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
log() { printf '[meter %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# The project's classes and its test-scope classpath, rebuilt when the sources changed (as bench/ledger.sh).
cp_file="$ROOT/target/bench-classpath.txt"
if [ ! -f "$cp_file" ] || [ ! -d "$ROOT/target/classes" ] \
  || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$cp_file" -print -quit 2>/dev/null)" ]; then
  log "compiling the project and resolving its test classpath"
  (cd "$ROOT" && timeout 900 ./mvnw -B -q compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file" >&2) || { log "build failed"; exit 1; }
  touch "$cp_file"
fi
CLASSES="$OUT/classes"
mkdir -p "$CLASSES"
CP="$ROOT/target/classes:$(cat "$cp_file")"
"$JAVA_HOME/bin/javac" -d "$CLASSES" -cp "$CP" "$BENCH_DIR/lib/MeterBench.java" 2>&1 | grep -v '^Note:' >&2 || true
[ -f "$CLASSES/MeterBench.class" ] || { log "compiling bench/lib/MeterBench.java failed"; exit 1; }

echo "# bench/meter.sh $(date +%Y-%m-%dT%H:%M), commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src/main || echo ' + uncommitted changes'):" \
  "RATE=$RATE THREADS=$THREADS BURST=$BURST WARMUP=$WARMUP DURATION=$SECONDS_MEASURED; CPU µs per call"
for i in $(seq 1 "$RUNS"); do
  dir="$OUT/meter-run"
  rm -rf "$dir"
  (cd "$ROOT" && "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xms256m -Xmx1g \
    -cp "$CP:$CLASSES" MeterBench --dir "$dir" --rate "$RATE" --threads "$THREADS" --burst "$BURST" \
    --warmup "$WARMUP" --seconds "$SECONDS_MEASURED") 2>"$OUT/meter-run.log" | grep '^METER_RESULT' \
    || { tail -n 30 "$OUT/meter-run.log" >&2; log "run $i failed"; exit 1; }
  rm -rf "$dir"
done
