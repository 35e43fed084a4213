# Where a gateway's CPU went, from async-profiler's collapsed stacks (option "threads": the first frame names the
# thread). Each sample is put in one category: the metering frame nearest its leaf (by package: ledger, wal,
# budget, limits, or metering itself: admission and settlement), else the package of its leaf frame (netty, vertx,
# jackson, the JDK, the kernel, SQLite's native code...). Prints "thread-group<TAB>category<TAB>samples", summed.
# Usage: awk -f profile-breakdown.awk collapsed.txt
function group(t) {
  if (t ~ /^\[vert\.x-eventloop/) return "event loops"
  if (t ~ /^\[ForkJoinPool/) return "carriers"
  if (t ~ /^\[wal-writer/) return "WAL writer"
  if (t ~ /^\[(GC Thread|G1 |VM Thread)/) return "GC and VM"
  if (t ~ /^\[C[12] CompilerThre/) return "JIT"
  return "other"
}
function category(frames, n,   i, f, leaf) {
  for (i = n; i >= 2; i--) {
    f = frames[i]
    if (f ~ /^dev\/tollgate\/metering\/(ledger|wal|budget|limits)\//) { split(f, p, "/"); return "metering: " p[4] }
    if (f ~ /^dev\/tollgate\/metering\//) return "metering: admission and settlement"
  }
  leaf = frames[n]
  if (leaf ~ /_\[k\]$/) return "kernel"
  if (leaf ~ /^io\/netty\//) return "netty"
  if (leaf ~ /^io\/vertx\//) return "vert.x"
  if (leaf ~ /^com\/fasterxml\//) return "jackson"
  if (leaf ~ /^dev\/tollgate\//) return "tollgate, other"
  if (leaf ~ /^(java|jdk|sun)\//) return "jdk"
  if (leaf ~ /^com\/github\/benmanes\//) return "caffeine"
  if (leaf ~ /^io\/github\/bucket4j\//) return "bucket4j"
  if (leaf ~ /sqlite/) return "sqlite (native)"
  return "native and other"
}
{
  samples = $NF
  line = $0
  sub(/ [0-9]+$/, "", line)
  n = split(line, frames, ";")
  key = group(frames[1]) "\t" category(frames, n)
  total[key] += samples
}
END { for (k in total) print k "\t" total[k] }
