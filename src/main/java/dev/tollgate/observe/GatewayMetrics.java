package dev.tollgate.observe;

import dev.tollgate.metering.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics: requests, latencies (total, upstream, time to first token,
 * gateway overhead), tokens and cost, plus JVM and pool meters. Thread-safe; every method is cheap
 * enough for the event loop.
 */
public final class GatewayMetrics implements AutoCloseable {
  private static final Duration[] LATENCY_BUCKETS = durations(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000,
      10_000, 30_000, 60_000, 120_000, 300_000);
  private static final Duration[] OVERHEAD_BUCKETS = {
      Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
      Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(100)};

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final Map<RequestKey, RequestMeters> requestMeters = new ConcurrentHashMap<>();
  private final Map<UsageKey, UsageMeters> usageMeters = new ConcurrentHashMap<>();

  public GatewayMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  private static Duration[] durations(long... millis) {
    Duration[] out = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      out[i] = Duration.ofMillis(millis[i]);
    }
    return out;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One finished proxied request. Negative durations mean "did not happen" and are not recorded. */
  public void request(String endpoint, String model, String deployment, int status,
      long totalNanos, long upstreamNanos, long ttftNanos, long overheadNanos) {
    RequestMeters m = requestMeters.computeIfAbsent(new RequestKey(endpoint, model, deployment, status),
        this::requestMeters);
    m.count().increment();
    m.total().record(totalNanos, TimeUnit.NANOSECONDS);
    if (upstreamNanos >= 0) {
      m.upstream().record(upstreamNanos, TimeUnit.NANOSECONDS);
    }
    if (ttftNanos >= 0) {
      m.ttft().record(ttftNanos, TimeUnit.NANOSECONDS);
    }
    if (overheadNanos >= 0) {
      m.overhead().record(overheadNanos, TimeUnit.NANOSECONDS);
    }
  }

  // Meter lookup by builder costs a tag sort and a map probe per call; the label sets are few (bounded
  // by the configured models and deployments), so each is resolved once.
  private record RequestKey(String endpoint, String model, String deployment, int status) {}

  private record RequestMeters(Counter count, Timer total, Timer upstream, Timer ttft, Timer overhead) {}

  private RequestMeters requestMeters(RequestKey k) {
    String code = Integer.toString(k.status());
    return new RequestMeters(
        Counter.builder("tollgate.requests")
            .description("Proxied requests by model, deployment and HTTP status")
            .tags("endpoint", k.endpoint(), "model", k.model(), "deployment", k.deployment(), "status", code)
            .register(registry),
        timer("tollgate.request.duration", "Total time from request to last byte", k, code),
        timer("tollgate.upstream.duration", "Time spent waiting on the upstream", k, code),
        timer("tollgate.time.to.first.token", "Time from request to the first token", k, code),
        Timer.builder("tollgate.gateway.overhead")
            .description("Time the gateway itself added: total minus upstream")
            .tags("endpoint", k.endpoint(), "model", k.model())
            .serviceLevelObjectives(OVERHEAD_BUCKETS)
            .register(registry));
  }

  private Timer timer(String name, String description, RequestKey k, String status) {
    return Timer.builder(name)
        .description(description)
        .tags("endpoint", k.endpoint(), "model", k.model(), "deployment", k.deployment(), "status", status)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  /** Tokens and cost of one usage record. */
  public void usage(String model, String deployment, TokenUsage usage, long costMicros) {
    UsageMeters m = usageMeters.computeIfAbsent(new UsageKey(model, deployment), this::usageMeters);
    increment(m.input(), usage.input());
    increment(m.output(), usage.output());
    increment(m.cached(), usage.cached());
    increment(m.reasoning(), usage.reasoning());
    m.cost().increment(costMicros);
  }

  private record UsageKey(String model, String deployment) {}

  private record UsageMeters(Counter input, Counter output, Counter cached, Counter reasoning, Counter cost) {}

  private UsageMeters usageMeters(UsageKey k) {
    return new UsageMeters(tokens(k, "input"), tokens(k, "output"), tokens(k, "cached"), tokens(k, "reasoning"),
        Counter.builder("tollgate.cost.micros")
            .description("Spend in micro-dollars")
            .tags("model", k.model(), "deployment", k.deployment())
            .register(registry));
  }

  private Counter tokens(UsageKey k, String type) {
    return Counter.builder("tollgate.tokens")
        .description("Tokens by model, deployment and type")
        .tags("model", k.model(), "deployment", k.deployment(), "type", type)
        .register(registry);
  }

  private static void increment(Counter counter, long count) {
    if (count > 0) {
      counter.increment(count);
    }
  }

  /** A rejected request that never reached routing (auth, validation, overload). */
  public void rejected(String endpoint, int status) {
    Counter.builder("tollgate.rejected")
        .description("Requests answered with an error before any upstream call")
        .tags("endpoint", endpoint, "status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  /** A deployment's breaker state (0 closed, 1 open, 2 half-open), 429 cooldown left, and requests in flight. */
  public void deploymentGauges(String model, String deployment, Supplier<Number> breakerState,
      Supplier<Number> coolingMillis, Supplier<Number> inFlight) {
    Gauge.builder("tollgate.deployment.breaker.state", breakerState)
        .description("Circuit breaker: 0 closed, 1 open, 2 half-open")
        .tags("model", model, "deployment", deployment).register(registry);
    Gauge.builder("tollgate.deployment.cooldown.seconds", () -> coolingMillis.get().doubleValue() / 1000)
        .description("Time left in a rate-limit cooldown").tags("model", model, "deployment", deployment)
        .register(registry);
    Gauge.builder("tollgate.deployment.in.flight", inFlight)
        .description("Requests in flight to the deployment from this node").tags("model", model, "deployment", deployment)
        .register(registry);
  }

  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
