#!/usr/bin/env bash
# What metering costs the gateway (issue 5): path (c) of bench/run.sh (load tool -> Tollgate -> nginx canned
# upstream), json and stream, wrk and hey, for three builds/configurations run in turn, interleaved, the order
# rotated each round (OFF LEDGER FULL, LEDGER FULL OFF, FULL OFF LEDGER, ...): the machine slows down run after
# run (OFF alone, back to back: 20.8k, 19.4k, 16.6k req/s), so a fixed order measured FULL, always last, on the
# slowest machine of each round; over three rounds each variant runs once in each place:
#
#   OFF     the gateway built from OFF_REF (7e14473: the last commit before the ledger entered the request
#           path; usage went through an in-memory queue, no budgets, no rate limits)
#   LEDGER  this checkout: every call's intent and usage event through the usage ledger (write-ahead log
#           with group-commit fsync, then SQLite); no budgets or limits configured
#   FULL    this checkout with a team budget that never runs out and key rpm/tpm limits that never refuse:
#           every call is counted (JTokkit) for its worst case, admitted by the limiter, reserved and settled
#
# Each run is one bench/run.sh (fresh nginx, Tollgate and database; warm-up; usage rows checked against the
# successful responses after a graceful stop). The report gives medians over the rounds and the ratios
# LEDGER/OFF and FULL/OFF. See bench/README.md.
#
# Usage: bench/metering.sh [--quick]
# Environment (defaults in brackets; --quick: 1 round of short runs, not for comparison):
#   ROUNDS          rounds of OFF, LEDGER, FULL, each in the next rotation of VARIANTS [3; quick 1]
#   VARIANTS        which variants, in round order ["off ledger full"]
#   OFF_REF         git ref of the OFF build [7e14473]
#   DURATION, WARMUP, FIXED_DURATION, TTFB_REQUESTS, KINDS   passed to run.sh [15, 60, 15, 500, "json stream"]
#                   (60 s of warm-up: the larger build's C2 compiler still took 2.6 µs a request at 45 s; see RESULTS.md)
#   CONNECTIONS     wrk connections [64]
#   RATES           hey target rates [1000 4000]
#   JAVA_HOME       JDK 25 [/usr/lib/jvm/temurin-25-jdk-amd64]
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
    *) echo "metering.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  ROUNDS="${ROUNDS:-1}"; export DURATION="${DURATION:-5}" WARMUP="${WARMUP:-3}" FIXED_DURATION="${FIXED_DURATION:-5}"
  export TTFB_REQUESTS="${TTFB_REQUESTS:-50}"
else
  ROUNDS="${ROUNDS:-3}"; export DURATION="${DURATION:-15}" WARMUP="${WARMUP:-60}" FIXED_DURATION="${FIXED_DURATION:-15}"
  export TTFB_REQUESTS="${TTFB_REQUESTS:-500}"
fi
VARIANTS="${VARIANTS:-off ledger full}"
OFF_REF="${OFF_REF:-7e14473}"
export KINDS="${KINDS:-json stream}" CONNECTIONS="${CONNECTIONS:-64}" RATES="${RATES:-1000 4000}" PATHS=c
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "metering.sh: ROUNDS must be a positive number" >&2; exit 2; }
for v in $VARIANTS; do
  case "$v" in off | ledger | full) ;; *) echo "metering.sh: VARIANTS entries must be off, ledger or full" >&2; exit 2 ;; esac
done

log() { printf '[metering %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

TS="$(date +%Y%m%d-%H%M%S)"
RAW="$OUT/metering-raw-$TS"
RESULTS="$OUT/metering-$TS.md"
mkdir -p "$RAW"

# ---------------------------------------------------------------------------------------------------
# OFF: built once per ref in a temporary git worktree; its bin/ and jar are kept in bench/out/off-<sha>.
OFF_SHA="$(git -C "$ROOT" rev-parse --short "$OFF_REF^{commit}")" || die "unknown OFF_REF '$OFF_REF'"
OFF_HOME="$OUT/off-$OFF_SHA"
case " $VARIANTS " in *" off "*)
  if [ ! -f "$OFF_HOME/target/tollgate.jar" ]; then
    wt="$OUT/off-worktree-$OFF_SHA"
    log "building the OFF gateway ($OFF_REF = $OFF_SHA) in a temporary worktree $wt"
    git -C "$ROOT" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
    git -C "$ROOT" worktree add --detach "$wt" "$OFF_SHA" >"$RAW/off-worktree.log" 2>&1 || die "git worktree add failed (see $RAW/off-worktree.log)"
    if ! (cd "$wt" && timeout 900 ./mvnw -B -q -DskipTests package >"$RAW/off-build.log" 2>&1); then
      git -C "$ROOT" worktree remove --force "$wt"
      die "building $OFF_REF failed (see $RAW/off-build.log)"
    fi
    rm -rf "$OFF_HOME"; mkdir -p "$OFF_HOME/target"
    cp -r "$wt/bin" "$OFF_HOME/"; cp "$wt/target/tollgate.jar" "$OFF_HOME/target/"
    git -C "$ROOT" worktree remove --force "$wt"
  fi
;; esac

# FULL: a budget on the team of the bench key (the default team) that never runs out, and limits on every
# key that never refuse (a tpm limit makes every call's prompt counted with JTokkit at admission). Not
# higher than 6e10 per minute: Bucket4j refuses refill rates above one token per nanosecond (every call would
# fail with 500, although the configuration accepts up to 1e12).
FULL_YAML="$OUT/metering-full.yaml"
cat >"$FULL_YAML" <<'EOF'
budgets:
  limits:
    - { id: bench-team, scope: team, scope_id: default, amount_usd: "1000000000", period: monthly }
limits:
  defaults:
    key: { rpm: 1000000000, tpm: 10000000000 }
EOF

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -a RUN_NOTES=()
read -ra ORDER <<<"$VARIANTS"
for round in $(seq 1 "$ROUNDS"); do
  shift_by=$(( (round - 1) % ${#ORDER[@]} ))
  for v in "${ORDER[@]:shift_by}" "${ORDER[@]:0:shift_by}"; do
    name="$v-$round"
    home="$ROOT"; extra=""
    [ "$v" = off ] && home="$OFF_HOME"
    [ "$v" = full ] && extra="$FULL_YAML"
    log "round $round/$ROUNDS: $v (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    TOLLGATE_HOME="$home" EXTRA_YAML="$extra" RESULTS_TSV="$RAW/$name.tsv" "$BENCH_DIR/run.sh" \
      >"$RAW/$name.log" 2>&1 || { tail -n 40 "$RAW/$name.log" >&2; die "run.sh failed for $name (see $RAW/$name.log)"; }
    cp "$(sed -n 's/.*results written to \(.*\)$/\1/p' "$RAW/$name.log" | tail -n 1)" "$RAW/$name.md" 2>/dev/null || true
    cp "$OUT/bench.yaml" "$RAW/$name.bench.yaml"
    # Nothing lost: usage rows against the successful responses the tools counted (rows may exceed them by
    # the requests in flight when a wrk run stopped); for FULL, the budget's settled spend against the rows.
    read -r rows ok problems _ < <(awk -F '\t' '$1 == "summary" {print $2, $3, $4}' "$RAW/$name.tsv")
    note="$name: $rows usage rows for $ok successful responses, $problems problem(s) reported by run.sh"
    if [ "$v" = full ] && [[ "$rows" =~ ^[0-9]+$ ]]; then
      spent="$(sqlite3 "$OUT/tollgate.db" "SELECT coalesce(sum(spent_micros), 0) FROM budget_spend WHERE budget_id = 'bench-team'" 2>/dev/null || echo n/a)"
      cost="$(sqlite3 "$OUT/tollgate.db" "SELECT coalesce(sum(cost_micros), 0) FROM usage_events" 2>/dev/null || echo n/a)"
      note="$note; budget bench-team settled $spent µ\$ against $cost µ\$ in usage_events"
    fi
    RUN_NOTES+=("$note")
    log "$note"
  done
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------
# Medians over the rounds, per variant and measurement; ratios against OFF.
for v in $VARIANTS; do for round in $(seq 1 "$ROUNDS"); do
  awk -F '\t' -v v="$v" -v r="$round" 'BEGIN {OFS = "\t"} $1 != "summary" {print v, r, $0}' "$RAW/$v-$round.tsv"
done; done >"$RAW/all.tsv"

median_table() { # rows: tool kind load | field: column of all.tsv (1-based) -> "tool kind load variant median"
  awk -F '\t' -v f="$1" '
    $(f) ~ /^[0-9.]+$/ { k = $3 "\t" $4 "\t" $5 "\t" $1; n[k]++; x[k, n[k]] = $(f) }
    END {
      for (k in n) {
        m = n[k]
        for (i = 1; i <= m; i++) a[i] = x[k, i]
        for (i = 2; i <= m; i++) { t = a[i]; j = i - 1; while (j > 0 && a[j] + 0 > t + 0) { a[j + 1] = a[j]; j-- } a[j + 1] = t }
        med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        print k "\t" med
      }
    }' "$RAW/all.tsv"
}
# all.tsv columns: 1 variant, 2 round, 3 tool, 4 kind, 5 load, 6 path, 7 rps|ok, 8 p50|ttfb50, 9 p99|ttfb99,
# 10 tg_us|tot50, 11 ngx_us|tot99, 12 errors
median_table 7 >"$RAW/med-rps.tsv"; median_table 8 >"$RAW/med-p50.tsv"; median_table 9 >"$RAW/med-p99.tsv"
median_table 10 >"$RAW/med-cpu.tsv"
med() { # med FILE TOOL KIND LOAD VARIANT
  awk -F '\t' -v t="$2" -v k="$3" -v l="$4" -v v="$5" '$1 == t && $2 == k && $3 == l && $4 == v {print $5; f = 1} END {if (!f) print "n/a"}' "$1"
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (x + 0 > 0 && y + 0 > 0) printf "%.2f", x / y; else printf "n/a" }'; }
fmt() { awk -v x="$1" -v d="$2" 'BEGIN { if (x ~ /^[0-9.]+$/) printf "%." d "f", x; else printf "%s", x }'; }

has() { case " $VARIANTS " in *" $1 "*) return 0 ;; esac; return 1; }
{
  echo "# What metering costs the gateway, $TS"
  echo
  echo "- Run: $([ "$QUICK" = 1 ] && echo 'quick (not for comparison)' || echo full); $ROUNDS round(s) of: $VARIANTS (interleaved, the order rotated each round);" \
    "each a bench/run.sh with PATHS=c (Tollgate -> nginx canned upstream), KINDS=\"$KINDS\", wrk -c$CONNECTIONS ${DURATION}s after a ${WARMUP}s warm-up," \
    "hey -c 50 at $RATES req/s for ${FIXED_DURATION}s, $TTFB_REQUESTS sequential streams for TTFB"
  echo "- OFF = $OFF_REF ($OFF_SHA, before the ledger: in-memory usage queue); LEDGER and FULL = $(git -C "$ROOT" rev-parse --short HEAD)" \
    "$(git -C "$ROOT" diff --quiet HEAD -- src pom.xml 2>/dev/null || echo '(+ uncommitted changes)');" \
    "FULL adds \`bench/out/metering-full.yaml\`: $(tr -s ' \n' ' ' <"$FULL_YAML")"
  echo "- Machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)); load average before: $LOAD_START, after: $LOAD_END." \
    "Other processes' CPU share during each run (run.sh's measure): $(for v in $VARIANTS; do for r in $(seq 1 "$ROUNDS"); do printf '%s-%s %s%%; ' "$v" "$r" "$(awk -F '\t' '$1 == "summary" {print $7}' "$RAW/$v-$r.tsv")"; done; done)"
  echo
  echo "## Medians over the rounds, and ratios against OFF"
  echo
  echo "CPU = Tollgate's CPU time (user+sys, all threads) per request during the run. TTFB rows: one keep-alive" \
    "connection, sequential streamed requests, no other load (p50 in the p50 column, p99 in the p99 column; no req/s)."
  echo
  echo "| Kind | Load | req/s OFF / LEDGER / FULL | p50 ms OFF / LEDGER / FULL | p99 ms OFF / LEDGER / FULL | CPU µs/req OFF / LEDGER / FULL | req/s L/OFF, F/OFF | p50 L/OFF, F/OFF | p99 L/OFF, F/OFF | CPU L/OFF, F/OFF |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for kind in $KINDS; do
    for load in "wrk $CONNECTIONS" $(for r in $RATES; do echo "hey_$r"; done) "ttfb 1"; do
      [ "$kind" = json ] && [ "$load" = "ttfb 1" ] && continue
      tool="${load%% *}"; l="${load#* }"; [ "$tool" = "$load" ] && { tool="hey"; l="${load#hey_}"; }
      case "$tool" in wrk) label="wrk -c$l" ;; hey) label="hey $l/s" ;; ttfb) label="TTFB, 1 conn" ;; esac
      declare -A M=()
      for v in off ledger full; do
        M[$v,rps]="$(med "$RAW/med-rps.tsv" "$tool" "$kind" "$l" "$v")"
        M[$v,p50]="$(med "$RAW/med-p50.tsv" "$tool" "$kind" "$l" "$v")"
        M[$v,p99]="$(med "$RAW/med-p99.tsv" "$tool" "$kind" "$l" "$v")"
        M[$v,cpu]="$(med "$RAW/med-cpu.tsv" "$tool" "$kind" "$l" "$v")"
      done
      if [ "$tool" = ttfb ]; then
        for v in off ledger full; do M[$v,rps]="—"; M[$v,cpu]="—"; done
        rr="—"; cr="—"
      else
        rr="$(ratio "${M[ledger,rps]}" "${M[off,rps]}"), $(ratio "${M[full,rps]}" "${M[off,rps]}")"
        cr="$(ratio "${M[ledger,cpu]}" "${M[off,cpu]}"), $(ratio "${M[full,cpu]}" "${M[off,cpu]}")"
      fi
      echo "| $kind | $label | $(fmt "${M[off,rps]}" 0) / $(fmt "${M[ledger,rps]}" 0) / $(fmt "${M[full,rps]}" 0) | ${M[off,p50]} / ${M[ledger,p50]} / ${M[full,p50]} | ${M[off,p99]} / ${M[ledger,p99]} / ${M[full,p99]} | $(fmt "${M[off,cpu]}" 0) / $(fmt "${M[ledger,cpu]}" 0) / $(fmt "${M[full,cpu]}" 0) | $rr | $(ratio "${M[ledger,p50]}" "${M[off,p50]}"), $(ratio "${M[full,p50]}" "${M[off,p50]}") | $(ratio "${M[ledger,p99]}" "${M[off,p99]}"), $(ratio "${M[full,p99]}" "${M[off,p99]}") | $cr |"
      unset M
    done
  done
  echo
  if has off && has full; then
    echo "Target (issue 5): budgets and ledger cost under 10% of throughput, i.e. FULL/OFF req/s >= 0.90 under wrk:" \
      "$(for kind in $KINDS; do
          r="$(ratio "$(med "$RAW/med-rps.tsv" wrk "$kind" "$CONNECTIONS" full)" "$(med "$RAW/med-rps.tsv" wrk "$kind" "$CONNECTIONS" off)")"
          printf '%s %s (%s); ' "$kind" "$r" "$(awk -v r="$r" 'BEGIN { if (r + 0 >= 0.9) print "met"; else if (r + 0 > 0) print "**missed**"; else print "n/a" }')"
        done)"
    echo
  fi
  echo "## Every run (wrk req/s and Tollgate CPU µs/req per round, to judge the spread)"
  echo
  echo "| Kind | Variant | $(for r in $(seq 1 "$ROUNDS"); do printf 'round %s | ' "$r"; done)"
  echo "|---|---|$(for r in $(seq 1 "$ROUNDS"); do printf -- '---:|'; done)"
  for kind in $KINDS; do for v in $VARIANTS; do
    echo "| $kind | $v | $(for r in $(seq 1 "$ROUNDS"); do
      awk -F '\t' -v k="$kind" -v c="$CONNECTIONS" '$1 == "wrk" && $2 == k && $3 == c {printf "%.0f req/s, %s µs", $5, $8}' "$RAW/$v-$r.tsv"; printf ' | '; done)"
  done; done
  echo
  echo "## Nothing lost"
  echo
  for n in "${RUN_NOTES[@]}"; do echo "- $n"; done
  echo
  echo "Per-run reports: \`${RAW#"$ROOT"/}/<variant>-<round>.md\` (run.sh's full report), figures \`.tsv\`, logs \`.log\`, configs \`.bench.yaml\`."
  echo
  echo '```sh'
  echo "$([ "$QUICK" = 1 ] && echo 'bench/metering.sh --quick' || echo 'bench/metering.sh')   # ROUNDS=$ROUNDS VARIANTS=\"$VARIANTS\" OFF_REF=$OFF_REF"
  echo "# each run: TOLLGATE_HOME=<OFF build | this checkout> EXTRA_YAML=<none | bench/out/metering-full.yaml> PATHS=c KINDS=\"$KINDS\" CONNECTIONS=$CONNECTIONS RATES=\"$RATES\" DURATION=$DURATION WARMUP=$WARMUP FIXED_DURATION=$FIXED_DURATION bench/run.sh"
  echo '```'
} >"$RESULTS"
cat "$RESULTS"
log "results written to $RESULTS"
