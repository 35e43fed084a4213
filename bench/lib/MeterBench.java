import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.Caller;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.metering.CompletedCall;
import dev.tollgate.metering.Meter;
import dev.tollgate.metering.Pricing;
import dev.tollgate.metering.Settlement;
import dev.tollgate.metering.Tab;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.metering.TokenUsage;
import dev.tollgate.metering.WorstCase;
import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetListener;
import dev.tollgate.metering.budget.BudgetPeriod;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.BudgetService;
import dev.tollgate.metering.budget.LocalBudgetStore;
import dev.tollgate.metering.ledger.CallIntent;
import dev.tollgate.metering.ledger.Ledger;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.limits.LimitsConfig;
import dev.tollgate.metering.limits.RateLimiter;
import dev.tollgate.metering.wal.WalConfig;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.routing.Deployment;
import dev.tollgate.routing.Model;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiBudgetPersistence;
import dev.tollgate.store.JdbiUsageStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The metering path of one proxied call, without the proxy (issue 5's "budgets and ledger cost"): what
 * {@code ProxyHandler} asks of the {@link Meter} for a call of bench/lib/request.json with one team budget and no
 * rate limits (bench/out/metering-budgets.yaml): admit, ticket, the intent written, the call settled with the
 * upstream's usage, the request ended. The real ledger (its write-ahead log on disk, its flusher into SQLite) and
 * the real budget store. Callers are paced like event loops under a gateway's load; the report is CPU per call,
 * by thread: the callers' (what the event loops pay), the log's writer, the flusher's carriers, the rest.
 *
 * <pre>java -cp target/classes:$(cat target/bench-classpath.txt):bench/out/classes MeterBench
 *     --dir DIR [--rate 12000] [--threads 2] [--burst 16] [--warmup 15] [--seconds 20]</pre>
 *
 * The machine's noise moves whole-gateway runs by 10% from one minute to the next (RESULTS.md); here the JVMs of
 * one run agree within about a microsecond a call, so a change of a microsecond or more in the metering path shows
 * when builds are compared interleaved (runs minutes apart move with the machine).
 */
public final class MeterBench {
  private static final Caller CALLER = new Caller("key_01HBENCHKEY0000000000000000", "bench", "default",
      Optional.empty(), Set.of(), false);
  private static final Deployment DEPLOYMENT = new Deployment("bench-json::canned-json::gpt-4o-mini", "canned-json",
      "gpt-4o-mini", 1);
  private static final Model MODEL = new Model("bench-json", List.of(DEPLOYMENT));

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path dir = opt.containsKey("dir") ? Path.of(opt.get("dir")) : Files.createTempDirectory("meterbench");
    double rate = Double.parseDouble(opt.getOrDefault("rate", "12000"));
    int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
    // Calls back to back per wake-up, as an event loop handles what one epoll_wait returned: the park between
    // bursts costs the caller a system call and a timer, which is not the metering's.
    int burst = Integer.parseInt(opt.getOrDefault("burst", "16"));
    double warmup = Double.parseDouble(opt.getOrDefault("warmup", "15"));
    double seconds = Double.parseDouble(opt.getOrDefault("seconds", "20"));
    Files.createDirectories(dir);
    Clock clock = Clock.systemUTC();
    Database database = Database.open(new DatabaseConfig("jdbc:sqlite:" + dir.resolve("tollgate.db"), 4), null);
    database.migrate();
    IdGenerator ids = new IdGenerator(clock, ThreadLocalRandom::current);
    LocalBudgetStore store = new LocalBudgetStore(new JdbiBudgetPersistence(database.jdbi()), BudgetListener.NONE,
        clock, ids, Duration.ofSeconds(1), Duration.ofMinutes(10));
    store.start();
    store.define(new Budget("bench-team", BudgetScope.team("default"), 1_000_000_000_000_000L, BudgetPeriod.MONTHLY));
    Ledger ledger = Ledger.open(LedgerConfig.defaults(WalConfig.defaults(dir.resolve("wal"))),
        new JdbiUsageStore(database.jdbi()), clock);
    ledger.start();
    TokenCounter tokens = new TokenCounter();
    Pricing pricing = Pricing.of(List.of());
    Meter meter = new Meter(ledger, new RateLimiter(LimitsConfig.NONE, clock),
        new BudgetService(store, Duration.ofMinutes(10)),
        new Settlement(pricing::prices, tokens, new GatewayMetrics(), clock), new WorstCase(tokens), () -> pricing,
        team -> { throw new AssertionError("no budgets of organisations here"); });
    JsonNode body = new ObjectMapper().readTree(Files.readString(Path.of("bench/lib/request.json")));

    AtomicLong calls = new AtomicLong();
    long[] callerCpu = new long[threads];
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double total = warmup + seconds;
    long startNanos = System.nanoTime();
    long measureFrom = startNanos + (long) (warmup * 1e9);
    long end = startNanos + (long) (total * 1e9);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = Thread.ofPlatform().name("bench-caller-" + t).start(() -> {
        long interval = (long) (1e9 * burst / (rate / threads));
        long next = System.nanoTime();
        long cpuAtMeasure = -1;
        while (true) {
          long now = System.nanoTime();
          if (now >= end) {
            break;
          }
          if (cpuAtMeasure < 0 && now >= measureFrom) {
            cpuAtMeasure = mx.getCurrentThreadCpuTime();
          }
          if (now < next) {
            LockSupport.parkNanos(next - now);
            continue;
          }
          next += interval;
          for (int i = 0; i < burst; i++) {
            oneCall(meter, ids, body, clock);
          }
          if (cpuAtMeasure >= 0) {
            calls.addAndGet(burst);
          }
        }
        callerCpu[index] = mx.getCurrentThreadCpuTime() - cpuAtMeasure;
      });
    }
    LockSupport.parkNanos(measureFrom - System.nanoTime());
    Map<String, ThreadCpu> before = threadCpu();
    long processBefore = processCpu();
    for (Thread w : workers) {
      w.join();
    }
    Map<String, Long> used = byGroup(before, threadCpu());
    long processAfter = processCpu();
    long n = calls.get();
    long callers = 0;
    for (long c : callerCpu) {
      callers += c;
    }
    StringBuilder groups = new StringBuilder();
    for (String g : List.of("wal-writer", "carriers", "gc", "jit", "other")) {
      groups.append(String.format(Locale.ROOT, " %s=%.2f", g,
          used.getOrDefault(g, 0L) / 1e3 / n));
    }
    System.out.printf(Locale.ROOT, "METER_RESULT calls=%d rate=%.0f callers_us=%.3f%s process_us=%.2f%n", n,
        n / seconds, callers / 1e3 / n, groups, (processAfter - processBefore) / 1e3 / n);
    ledger.close(Duration.ofSeconds(60));
    store.close();
    database.close();
  }

  private static void oneCall(Meter meter, IdGenerator ids, JsonNode body, Clock clock) {
    Meter.Verdict verdict = meter.admit(CALLER, MODEL, body, false).toCompletableFuture().join();
    Tab tab = ((Meter.Verdict.Admitted) verdict).tab();
    Tab.Ticket ticket = ((Tab.Next.Granted) tab.ticket(ids.next(), MODEL.name(), DEPLOYMENT)).ticket();
    String requestId = "req_" + ids.next();
    long prompt = tab.countedPromptTokens();
    CallIntent intent = new CallIntent(ticket.eventId(), requestId, CALLER.keyId(), CALLER.teamId(), null,
        "chat.completions", MODEL.name(), DEPLOYMENT.id(), DEPLOYMENT.provider(), DEPLOYMENT.upstreamModel(), false,
        prompt, meter.promptCostMicros(MODEL.name(), DEPLOYMENT.upstreamModel(), prompt), clock.millis(), 1,
        "primary");
    tab.begin(ticket, intent).join();
    CompletedCall call = new CompletedCall(requestId, CALLER.keyId(), CALLER.teamId(), null, "chat.completions",
        MODEL.name(), DEPLOYMENT.id(), DEPLOYMENT.provider(), DEPLOYMENT.upstreamModel(), "ok", 200,
        Optional.of(new TokenUsage(23, 9, 0, 0, false)), "", body, true, 1, -1, false, null, 1, "primary");
    tab.settle(ticket, call);
    tab.requestEnded();
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One thread's group and CPU nanoseconds so far (user + system, from /proc in Linux's 10 ms ticks). */
  private record ThreadCpu(String group, long nanos) {}

  /** This process's threads by id: a thread that ends between two readings drops out instead of going negative. */
  private static Map<String, ThreadCpu> threadCpu() throws IOException {
    Map<String, ThreadCpu> out = new HashMap<>();
    long tick = 1_000_000_000L / 100;
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String comm = Files.readString(task.resolve("comm")).strip();
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          String group = comm.startsWith("wal-writer") ? "wal-writer"
              : comm.startsWith("ForkJoinPool") ? "carriers"
              : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "gc"
              : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "jit"
              : comm.startsWith("bench-caller") ? "callers" : "other";
          out.put(task.getFileName().toString(), new ThreadCpu(group, ticks * tick));
        } catch (IOException | RuntimeException gone) {
          // a thread ended while being read
        }
      }
    }
    return out;
  }

  /** CPU nanoseconds by group between two readings of {@link #threadCpu}. */
  private static Map<String, Long> byGroup(Map<String, ThreadCpu> before, Map<String, ThreadCpu> after) {
    Map<String, Long> out = new HashMap<>();
    after.forEach((tid, now) -> {
      ThreadCpu then = before.get(tid);
      out.merge(now.group(), now.nanos() - (then == null ? 0 : then.nanos()), Long::sum);
    });
    return out;
  }
}
