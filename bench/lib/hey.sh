# Reading hey's text output, for bench/run.sh and bench/paired.sh (sourced).
# hey output: "Requests/sec:", "  50% in 0.0003 secs", "Status code distribution:  [200] N responses",
# "Error distribution:  [N] message". Latencies are printed with 0.1 ms resolution.
hey_field() { # hey_field FILE WHAT: rps, p50 / p99 (ms), ok (2xx), bad (other statuses), errors (transport)
  case "$2" in
    rps) awk '/Requests\/sec:/ {printf "%.1f", $2; exit}' "$1" ;;
    p50) awk '$1 == "50%" && $2 == "in" {printf "%.1f", $3 * 1000; exit}' "$1" ;;
    p99) awk '$1 == "99%" && $2 == "in" {printf "%.1f", $3 * 1000; exit}' "$1" ;;
    ok) awk '/Status code distribution:/ {s=1; next} /^$/ {s=0} s && $1 ~ /^\[2[0-9][0-9]\]$/ {n += $2} END {print n + 0}' "$1" ;;
    bad) awk '/Status code distribution:/ {s=1; next} /^$/ {s=0} s && $1 ~ /^\[[0-9]+\]$/ && $1 !~ /^\[2/ {n += $2} END {print n + 0}' "$1" ;;
    errors) awk '/Error distribution:/ {s=1; next} s && $1 ~ /^\[[0-9]+\]$/ {gsub(/[][]/, "", $1); n += $1} END {print n + 0}' "$1" ;;
  esac
}
