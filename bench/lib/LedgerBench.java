import com.sun.management.OperatingSystemMXBean;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.metering.UsageSink;
import dev.tollgate.metering.ledger.CallIntent;
import dev.tollgate.metering.ledger.Ledger;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.ledger.LedgerStatus;
import dev.tollgate.metering.wal.Wal;
import dev.tollgate.metering.wal.WalConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiUsageStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Usage-ledger benchmark for bench/ledger.sh (issue 5): the real {@link Ledger} (its write-ahead log on
 * disk, its flusher, {@link JdbiUsageStore} on a SQLite file or an embedded PostgreSQL) fed with
 * synthetic calls, each a call intent ({@code begin}, waited for like the gateway does before going
 * upstream) and then its usage event ({@code end}). Or, with {@code --mode wal}, the write-ahead log
 * alone (append + group-commit fsync, the records the ledger writes, pre-encoded). Run it over the
 * project's classes and its test-scope classpath:
 *
 * <pre>java -cp target/classes:$(cat target/bench-classpath.txt):bench/out/classes LedgerBench
 *     --mode ledger|wal --db sqlite|postgresql --rate R (0: flat out) --seconds S --concurrency C
 *     --dir DIR [--commit-interval-ms 2] [--flush-batch 1000] [--flush-interval-ms 100] [--max-disk-mb 8192]</pre>
 *
 * Paced ({@code --rate R}): calls begin on schedule, open loop, whether or not earlier intents are on
 * disk. Flat out ({@code --rate 0}): at most {@code C} calls in flight, a new one as soon as one ends.
 * {@code ledger.status()} is sampled every 100 ms. After the load the run waits until every event is
 * in the database, reports the drain rate, closes the ledger and counts the rows (nothing lost: rows =
 * calls ended). The last line is {@code LEDGER_RESULT k=v ...} for the script.
 */
public final class LedgerBench {
  private static final long SAMPLE_MS = 100;

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    String mode = opt.getOrDefault("mode", "ledger");
    String db = opt.getOrDefault("db", "sqlite");
    double rate = Double.parseDouble(opt.getOrDefault("rate", "5000"));
    double seconds = Double.parseDouble(opt.getOrDefault("seconds", "30"));
    int concurrency = Integer.parseInt(opt.getOrDefault("concurrency", "1024"));
    Path dir = Path.of(opt.getOrDefault("dir", "bench/out/ledger-run")).toAbsolutePath();
    Duration commitInterval = Duration.ofNanos(Math.round(Double.parseDouble(opt.getOrDefault("commit-interval-ms", "2")) * 1e6));
    int flushBatch = Integer.parseInt(opt.getOrDefault("flush-batch", String.valueOf(LedgerConfig.DEFAULT_FLUSH_BATCH)));
    Duration flushInterval = Duration.ofMillis(Long.parseLong(opt.getOrDefault("flush-interval-ms", "100")));
    long maxDisk = Long.parseLong(opt.getOrDefault("max-disk-mb", "8192")) << 20;
    Duration drainMax = Duration.ofSeconds(Long.parseLong(opt.getOrDefault("drain-max-s", "120")));
    deleteTree(dir);
    Files.createDirectories(dir);
    WalConfig walConfig = new WalConfig(dir.resolve("wal"), WalConfig.DEFAULT_SEGMENT_BYTES, commitInterval,
        WalConfig.DEFAULT_COMMIT_BYTES, maxDisk, WalConfig.DEFAULT_ADMISSION_HEADROOM_BYTES);
    Result result = new Result();
    result.put("mode", mode);
    result.put("db", mode.equals("wal") ? "none" : db);
    result.put("target_rate", rate > 0 ? fmt0(rate) : "max");
    result.put("seconds", fmt0(seconds));
    result.put("concurrency", rate > 0 ? "open" : String.valueOf(concurrency));
    result.put("commit_interval_ms", fmt2(commitInterval.toNanos() / 1e6));
    if (mode.equals("wal")) {
      walAlone(walConfig, rate, seconds, concurrency, result);
    } else {
      ledger(db, dir, new LedgerConfig(walConfig, flushBatch, flushInterval), rate, seconds, concurrency, drainMax,
          result);
    }
    System.out.println(result.line());
    System.exit(0); // the embedded PostgreSQL's and Hikari's threads must not keep the JVM alive
  }

  // ------------------------------------------------------------------ the ledger against a database

  private static void ledger(String db, Path dir, LedgerConfig config, double rate, double seconds, int concurrency,
      Duration drainMax, Result result) throws Exception {
    Postgres pg = null;
    String url;
    if (db.equals("sqlite")) {
      url = "jdbc:sqlite:" + dir.resolve("usage.db");
    } else if (db.equals("postgresql")) {
      pg = Postgres.start(dir.resolve("pg"));
      url = pg.url;
      result.put("pg", pg.settings);
    } else {
      throw new IllegalArgumentException("--db must be sqlite or postgresql");
    }
    Database database = Database.open(new DatabaseConfig(url, 4), null);
    database.migrate();
    CountingSink sink = new CountingSink(new JdbiUsageStore(database.jdbi()));
    Ledger ledger = Ledger.open(config, sink, Clock.systemUTC());
    ledger.start();
    Calls calls = new Calls();
    Histogram intentWait = new Histogram();
    AtomicLong ended = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService loops = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("loop-", 0).factory());
    Sampler sampler = new Sampler(ledger);
    Cpu cpu = new Cpu(pg);

    // Warm-up: one second of calls at the target rate (or 2,000/s flat out) to load classes, JIT the path.
    Load warm = new Load(rate > 0 ? rate : 2000, 1.0, 1 << 20);
    warm.run(done -> call(ledger, calls, new Histogram(), ended, failed, loops, done), ledger);
    waitDrained(ledger, ended, failed, warm.issued, Duration.ofSeconds(60));
    long endedBefore = ended.get();
    sink.reset();

    sampler.start();
    Cpu.Mark cpu0 = cpu.mark();
    long flushed0 = ledger.status().flushed();
    Load load = new Load(rate, seconds, concurrency);
    load.run(done -> call(ledger, calls, intentWait, ended, failed, loops, done), ledger);
    double window = load.elapsedSeconds;
    long flushedAtEnd = ledger.status().flushed();
    sampler.stop();
    long drainStart = System.nanoTime();
    long lagAtEnd = ledger.status().lagEvents();
    boolean drained = waitDrained(ledger, ended, failed, warm.issued + load.issued, drainMax);
    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
    long flushedAfter = ledger.status().flushed();
    Cpu.Mark cpu1 = cpu.mark();
    LedgerStatus last = ledger.status();
    // Not drained: what is left stays in the write-ahead log (a restart would write it), counted below.
    ledger.close(Duration.ofSeconds(drained ? 60 : 5));
    long leftInLog = ledger.status().lagEvents();
    long rows = database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM usage_events").mapTo(Long.class).one());
    database.close();
    if (pg != null) {
      pg.close();
    }
    loops.shutdownNow();

    long calls2 = load.issued;
    result.put("calls", String.valueOf(calls2));
    result.put("calls_per_s", fmt0(calls2 / window));
    result.put("refused_no_room", String.valueOf(load.refused));
    result.put("behind_schedule_max_ms", rate > 0 ? fmt1(load.maxLateNanos / 1e6) : "n/a");
    result.put("db_events_per_s", fmt0((flushedAtEnd - flushed0) / window));
    result.put("lag_at_end_events", String.valueOf(lagAtEnd));
    result.put("drained", String.valueOf(drained));
    result.put("drain_s", fmt2(drainSeconds));
    result.put("drain_events_per_s", drainSeconds > 0.05 && lagAtEnd > 0 ? fmt0((flushedAfter - flushedAtEnd) / drainSeconds) : "n/a");
    result.put("batch_mean", fmt1(sink.meanSize()));
    result.put("batch_max", String.valueOf(sink.maxSize()));
    result.put("batches", String.valueOf(sink.batches()));
    result.put("insert_ms_mean", fmt2(sink.meanMillis()));
    result.put("insert_ms_max", fmt1(sink.maxMillis()));
    result.put("db_max_events_per_s", fmt0(sink.eventsPerInsertSecond()));
    sampler.report(result);
    intentWait.report("intent", result);
    cpu.report(cpu0, cpu1, calls2, result);
    result.put("failed_batches", String.valueOf(last.failedBatches()));
    result.put("failed_appends", String.valueOf(failed.get()));
    result.put("rows", String.valueOf(rows));
    result.put("ended", String.valueOf(ended.get()));
    result.put("left_in_log", String.valueOf(leftInLog));
    result.put("rows_ok", String.valueOf(rows + leftInLog == ended.get()));
    System.out.printf(Locale.ROOT, "%s on %s: %d calls in %.1f s (%.0f/s), %d events ended before the window%n",
        rate > 0 ? "paced" : "flat out", db, calls2, window, calls2 / window, endedBefore);
  }

  /** One synthetic call: its intent, waited for on disk, then its usage event from a "loop" thread. */
  private static void call(Ledger ledger, Calls calls, Histogram intentWait, AtomicLong ended, AtomicLong failed,
      ExecutorService loops, Runnable done) {
    CallIntent intent = calls.intent();
    long t0 = System.nanoTime();
    ledger.begin(intent).whenComplete((v, e) -> {
      intentWait.record(System.nanoTime() - t0);
      if (e != null) {
        failed.incrementAndGet();
        done.run();
        return;
      }
      // The gateway goes on on its event loop, not on the log's writer thread.
      loops.execute(() -> ledger.end(calls.event(intent)).whenComplete((w, f) -> {
        if (f != null) {
          failed.incrementAndGet();
        } else {
          ended.incrementAndGet();
        }
        done.run();
      }));
    });
  }

  private static boolean waitDrained(Ledger ledger, AtomicLong ended, AtomicLong failed, long issued, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (ended.get() + failed.get() >= issued && ledger.status().lagEvents() == 0) {
        return true;
      }
      LockSupport.parkNanos(2_000_000);
    }
    return false;
  }

  // ------------------------------------------------------------------ the write-ahead log alone

  private static void walAlone(WalConfig config, double rate, double seconds, int concurrency, Result result)
      throws Exception {
    Calls calls = new Calls();
    byte[][] begins = new byte[4096][];
    byte[][] ends = new byte[4096][];
    for (int i = 0; i < begins.length; i++) {
      CallIntent intent = calls.intent();
      begins[i] = Codec.begun(intent);
      ends[i] = Codec.ended(calls.event(intent));
    }
    result.put("intent_bytes", fmt0(Arrays.stream(begins).mapToInt(b -> b.length).average().orElse(0)));
    result.put("event_bytes", fmt0(Arrays.stream(ends).mapToInt(b -> b.length).average().orElse(0)));
    Wal wal = Wal.open(config, Clock.systemUTC());
    Histogram intentWait = new Histogram();
    AtomicLong ended = new AtomicLong();
    AtomicLong next = new AtomicLong();
    // What the flusher does for the log, without a database: let committed segments go. Stopped by a
    // flag, not an interrupt: an interrupt closes the checkpoint's file channel under it.
    AtomicBoolean committing = new AtomicBoolean(true);
    Thread committer = Thread.ofPlatform().daemon().name("committer").start(() -> {
      while (committing.get()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS));
        wal.markCommitted(wal.durableSeq());
      }
    });
    Call call = done -> {
      int i = (int) (next.getAndIncrement() & (begins.length - 1));
      long t0 = System.nanoTime();
      wal.append(begins[i]).whenComplete((s, e) -> {
        intentWait.record(System.nanoTime() - t0);
        wal.append(ends[i]).whenComplete((s2, e2) -> {
          ended.incrementAndGet();
          done.run();
        });
      });
    };
    Load warm = new Load(rate > 0 ? rate : 2000, 1.0, 1 << 20);
    warm.run(call, null);
    Cpu cpu = new Cpu(null);
    intentWait.reset();
    Cpu.Mark cpu0 = cpu.mark();
    Load load = new Load(rate, seconds, concurrency);
    load.run(call, null);
    Cpu.Mark cpu1 = cpu.mark();
    for (long deadline = System.nanoTime() + 30_000_000_000L;
        ended.get() < warm.issued + load.issued && System.nanoTime() < deadline; ) {
      LockSupport.parkNanos(1_000_000);
    }
    committing.set(false);
    committer.join();
    wal.close();
    result.put("calls", String.valueOf(load.issued));
    result.put("calls_per_s", fmt0(load.issued / load.elapsedSeconds));
    result.put("behind_schedule_max_ms", rate > 0 ? fmt1(load.maxLateNanos / 1e6) : "n/a");
    intentWait.report("intent", result);
    cpu.report(cpu0, cpu1, load.issued, result);
  }

  /** The ledger's own encoding (package-private in the product), reached by reflection for realistic bytes. */
  private static final class Codec {
    private static final Method ENCODE;
    private static final Constructor<?> BEGUN;
    private static final Constructor<?> ENDED;

    static {
      try {
        Class<?> codec = Class.forName("dev.tollgate.metering.ledger.LedgerCodec");
        Class<?> record = Class.forName("dev.tollgate.metering.ledger.LedgerRecord");
        ENCODE = codec.getDeclaredMethod("encode", record);
        ENCODE.setAccessible(true);
        BEGUN = Class.forName("dev.tollgate.metering.ledger.LedgerRecord$Begun").getDeclaredConstructor(CallIntent.class);
        BEGUN.setAccessible(true);
        ENDED = Class.forName("dev.tollgate.metering.ledger.LedgerRecord$Ended").getDeclaredConstructor(UsageEvent.class);
        ENDED.setAccessible(true);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    static byte[] begun(CallIntent intent) throws ReflectiveOperationException {
      return (byte[]) ENCODE.invoke(null, BEGUN.newInstance(intent));
    }

    static byte[] ended(UsageEvent event) throws ReflectiveOperationException {
      return (byte[]) ENCODE.invoke(null, ENDED.newInstance(event));
    }
  }

  // ------------------------------------------------------------------ load

  /** Runs calls paced (open loop, {@code rate} per second) or flat out (bounded by {@code concurrency}). */
  private static final class Load {
    final double rate;
    final double seconds;
    final Semaphore permits;
    long issued;
    long refused;
    long maxLateNanos;
    double elapsedSeconds;

    Load(double rate, double seconds, int concurrency) {
      this.rate = rate;
      this.seconds = seconds;
      this.permits = rate > 0 ? null : new Semaphore(concurrency);
    }

    /** Runs the load; {@code ledger}, when given, is asked for room before each call like admission does. */
    void run(Call call, Ledger ledger) {
      Runnable done = permits == null ? () -> { } : permits::release;
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      if (rate > 0) {
        long period = Math.round(1e9 / rate);
        long total = Math.round(rate * seconds);
        for (long i = 0; i < total; i++) {
          long due = start + i * period;
          for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
          maxLateNanos = Math.max(maxLateNanos, System.nanoTime() - due);
          if (ledger != null && !ledger.hasRoom()) {
            refused++;
            continue;
          }
          call.run(done);
          issued++;
        }
      } else {
        while (System.nanoTime() < end) {
          if (ledger != null && !ledger.hasRoom()) {
            refused++;
            LockSupport.parkNanos(1_000_000);
            continue;
          }
          try {
            if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
              continue;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
          call.run(done);
          issued++;
        }
      }
      elapsedSeconds = (System.nanoTime() - start) / 1e9;
    }
  }

  /** One synthetic call; it runs {@code done} when it has ended (frees its place when flat out). */
  @FunctionalInterface
  private interface Call {
    void run(Runnable done);
  }

  // ------------------------------------------------------------------ synthetic calls

  /** Calls with realistic field sizes: UUIDv7 ids, a few dozen teams and hundreds of users, real model names. */
  private static final class Calls {
    private final IdGenerator ids = new IdGenerator(Clock.systemUTC(), ThreadLocalRandom::current);
    private final String[] teams = new String[24];
    private final String[] users = new String[400];
    private final String[] keys = new String[800];

    Calls() {
      Arrays.setAll(teams, i -> ids.next());
      Arrays.setAll(users, i -> ids.next());
      Arrays.setAll(keys, i -> ids.next());
    }

    CallIntent intent() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      int k = r.nextInt(keys.length);
      String user = k % 5 == 0 ? null : users[k % users.length]; // a fifth are service accounts
      long prompt = 50 + r.nextLong(4000);
      return new CallIntent(ids.next(), ids.next(), keys[k], teams[k % teams.length], user, "/v1/chat/completions",
          "gpt-4o-mini", "openai-eu/gpt-4o-mini-2024-07-18", "openai-eu", "gpt-4o-mini-2024-07-18", r.nextBoolean(),
          prompt, prompt * 150 / 1000, System.currentTimeMillis(), 1, null);
    }

    UsageEvent event(CallIntent i) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      long output = 10 + r.nextLong(800);
      long cached = r.nextInt(4) == 0 ? i.promptTokens() / 2 : 0;
      long latency = 200 + r.nextLong(5000);
      return new UsageEvent(i.id(), i.requestId(), i.keyId(), i.endpoint(), i.model(), i.deployment(), i.provider(),
          i.upstreamModel(), i.promptTokens(), output, cached, 0, false,
          i.promptCostMicros() + output * 600 / 1000, "ok", 200, latency, i.streamed() ? latency / 5 : latency,
          i.streamed(), null, i.createdAt(), i.attempt(), i.route(), i.teamId(), i.userId());
    }
  }

  // ------------------------------------------------------------------ measuring

  /** Microsecond histogram up to 1 s (coarser above 10 ms), lock-free. */
  private static final class Histogram {
    private static final int FINE = 10_000; // 1 µs buckets up to 10 ms
    private final AtomicLongArray counts = new AtomicLongArray(FINE + 1000); // then 1 ms buckets up to 1 s
    private final AtomicLong max = new AtomicLong();
    private final AtomicLong n = new AtomicLong();

    void record(long nanos) {
      long us = nanos / 1000;
      int bucket = us < FINE ? (int) us : (int) Math.min(FINE + 999, FINE + (us - FINE) / 1000);
      counts.incrementAndGet(bucket);
      n.incrementAndGet();
      max.accumulateAndGet(us, Math::max);
    }

    void reset() {
      for (int i = 0; i < counts.length(); i++) {
        counts.set(i, 0);
      }
      max.set(0);
      n.set(0);
    }

    double percentileMillis(double p) {
      long total = n.get();
      if (total == 0) {
        return Double.NaN;
      }
      long rank = (long) Math.ceil(p / 100 * total);
      long seen = 0;
      for (int i = 0; i < counts.length(); i++) {
        seen += counts.get(i);
        if (seen >= Math.max(1, rank)) {
          return i < FINE ? i / 1000.0 : (FINE + (i - FINE) * 1000) / 1000.0;
        }
      }
      return max.get() / 1000.0;
    }

    void report(String name, Result r) {
      r.put(name + "_p50_ms", fmt2(percentileMillis(50)));
      r.put(name + "_p99_ms", fmt2(percentileMillis(99)));
      r.put(name + "_max_ms", fmt1(max.get() / 1000.0));
    }
  }

  /** {@code ledger.status()} every 100 ms while the load runs. */
  private static final class Sampler {
    private final Ledger ledger;
    private final List<long[]> samples = new ArrayList<>(); // lag events, lag ms, disk bytes
    private volatile boolean running;
    private Thread thread;

    Sampler(Ledger ledger) {
      this.ledger = ledger;
    }

    void start() {
      running = true;
      thread = Thread.ofPlatform().daemon().name("status-sampler").start(() -> {
        long next = System.nanoTime();
        while (running) {
          LedgerStatus s = ledger.status();
          synchronized (samples) {
            samples.add(new long[] {s.lagEvents(), s.lagAge().toMillis(), s.diskBytes()});
          }
          next += SAMPLE_MS * 1_000_000;
          LockSupport.parkNanos(next - System.nanoTime());
        }
      });
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    void report(Result r) {
      List<long[]> s;
      synchronized (samples) {
        s = List.copyOf(samples);
      }
      long[] events = s.stream().mapToLong(x -> x[0]).sorted().toArray();
      long[] ms = s.stream().mapToLong(x -> x[1]).sorted().toArray();
      r.put("samples", String.valueOf(s.size()));
      r.put("lag_events_p50", String.valueOf(rank(events, 50)));
      r.put("lag_events_p99", String.valueOf(rank(events, 99)));
      r.put("lag_events_max", String.valueOf(events.length == 0 ? 0 : events[events.length - 1]));
      r.put("lag_s_p50", fmt3(rank(ms, 50) / 1000.0));
      r.put("lag_s_p99", fmt3(rank(ms, 99) / 1000.0));
      r.put("lag_s_max", fmt3((ms.length == 0 ? 0 : ms[ms.length - 1]) / 1000.0));
      r.put("wal_disk_mb_max", fmt1(s.stream().mapToLong(x -> x[2]).max().orElse(0) / 1048576.0));
    }

    private static long rank(long[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int k = (int) Math.ceil(p / 100 * sorted.length);
      return sorted[Math.min(sorted.length, Math.max(1, k)) - 1];
    }
  }

  /** Wraps the store: batch sizes and the time each insert transaction took. Called by the flusher only. */
  private static final class CountingSink implements UsageSink {
    private final UsageSink inner;
    private long batches;
    private long events;
    private int maxSize;
    private long nanos;
    private long maxNanos;

    CountingSink(UsageSink inner) {
      this.inner = inner;
    }

    @Override
    public java.util.Set<String> stored(java.util.Collection<String> ids) {
      return inner.stored(ids);
    }

    @Override
    public void insert(List<UsageEvent> batch) {
      long t0 = System.nanoTime();
      inner.insert(batch);
      long took = System.nanoTime() - t0;
      synchronized (this) {
        batches++;
        events += batch.size();
        maxSize = Math.max(maxSize, batch.size());
        nanos += took;
        maxNanos = Math.max(maxNanos, took);
      }
    }

    synchronized void reset() {
      batches = events = nanos = maxNanos = 0;
      maxSize = 0;
    }

    synchronized long batches() {
      return batches;
    }

    synchronized double meanSize() {
      return batches == 0 ? 0 : (double) events / batches;
    }

    synchronized int maxSize() {
      return maxSize;
    }

    synchronized double meanMillis() {
      return batches == 0 ? 0 : nanos / 1e6 / batches;
    }

    synchronized double maxMillis() {
      return maxNanos / 1e6;
    }

    /** Events per second of insert time: what the database would take if the flusher did nothing else. */
    synchronized double eventsPerInsertSecond() {
      return nanos == 0 ? 0 : events / (nanos / 1e9);
    }
  }

  /** CPU time of this JVM and of the PostgreSQL server (postmaster, its backends and the ones it reaped). */
  private static final class Cpu {
    private static final long HZ = 100; // USER_HZ on Linux
    private final Postgres pg;
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    Cpu(Postgres pg) {
      this.pg = pg;
    }

    record Mark(long nanos, long jvmNanos, long pgJiffies, long machineJiffies) {}

    Mark mark() {
      return new Mark(System.nanoTime(), os.getProcessCpuTime(), pg == null ? 0 : pg.cpuJiffies(), machineBusy());
    }

    void report(Mark a, Mark b, long calls, Result r) {
      double wall = (b.nanos - a.nanos) / 1e9;
      double jvm = (b.jvmNanos - a.jvmNanos) / 1e9;
      double pgs = (double) (b.pgJiffies - a.pgJiffies) / HZ;
      double machine = (double) (b.machineJiffies - a.machineJiffies) / HZ;
      r.put("cpu_jvm_s", fmt1(jvm));
      r.put("cpu_pg_s", pg == null ? "n/a" : fmt1(pgs));
      r.put("cpu_us_per_call", fmt1((jvm + pgs) * 1e6 / Math.max(1, calls)));
      r.put("cpu_cores_busy", fmt2((jvm + pgs) / wall));
      r.put("cpu_other_cores", fmt2(Math.max(0, machine - jvm - pgs) / wall));
    }

    /** user + nice + system jiffies of the whole machine. */
    private static long machineBusy() {
      try {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
      } catch (IOException e) {
        return 0;
      }
    }
  }

  /** Embedded PostgreSQL (zonky, as the tests use), with durable commits like a production server. */
  private static final class Postgres implements AutoCloseable {
    final EmbeddedPostgres server;
    final String url;
    final String settings;
    final Path dataDir;

    private Postgres(EmbeddedPostgres server, String url, String settings, Path dataDir) {
      this.server = server;
      this.url = url;
      this.settings = settings;
      this.dataDir = dataDir;
    }

    static Postgres start(Path dataDir) throws Exception {
      // zonky turns synchronous_commit off for tests; a billing ledger's database runs with it on.
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(true)
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", "on")
          .start();
      try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE bench");
      }
      String settings;
      try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT current_setting('server_version') || ',fsync=' || current_setting('fsync')"
              + " || ',synchronous_commit=' || current_setting('synchronous_commit')"
              + " || ',wal_sync_method=' || current_setting('wal_sync_method')")) {
        rs.next();
        settings = rs.getString(1).replace(' ', '_');
      }
      return new Postgres(server, "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/bench?user=postgres",
          settings, dataDir);
    }

    /** utime+stime of the postmaster and its live children, plus cutime+cstime of the children it reaped. */
    long cpuJiffies() {
      try {
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().trim());
        long total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
          for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
            String[] f = stat(p);
            if (f == null) {
              continue;
            }
            long pid = Long.parseLong(p.getFileName().toString());
            long ppid = Long.parseLong(f[1]);
            if (pid == postmaster) {
              total += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            } else if (ppid == postmaster) {
              total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
          }
        }
        return total;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    /** Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, ... [11] utime, [12] stime. */
    private static String[] stat(Path proc) {
      try {
        String s = Files.readString(proc.resolve("stat"));
        return s.substring(s.lastIndexOf(')') + 2).split(" ");
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** The result line: ordered key=value pairs. */
  private static final class Result {
    private final Map<String, String> values = new java.util.LinkedHashMap<>();

    void put(String k, String v) {
      values.put(k, v);
    }

    String line() {
      return "LEDGER_RESULT " + values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(" "));
    }
  }

  // ------------------------------------------------------------------ helpers

  private static Map<String, String> options(String[] args) {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
      }
      opt.put(args[i].substring(2), args[++i]);
    }
    return opt;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static String fmt0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String fmt1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
