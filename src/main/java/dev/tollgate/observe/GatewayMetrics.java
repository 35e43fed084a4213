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
    String code = Integer.toString(status);
    Counter.builder("tollgate.requests")
        .description("Proxied requests by model, deployment and HTTP status")
        .tags("endpoint", endpoint, "model", model, "deployment", deployment, "status", code)
        .register(registry)
        .increment();
    timer("tollgate.request.duration", "Total time from request to last byte", LATENCY_BUCKETS,
        endpoint, model, deployment, code).record(totalNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (upstreamNanos >= 0) {
      timer("tollgate.upstream.duration", "Time spent waiting on the upstream", LATENCY_BUCKETS,
          endpoint, model, deployment, code).record(upstreamNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    if (ttftNanos >= 0) {
      timer("tollgate.time.to.first.token", "Time from request to the first token", LATENCY_BUCKETS,
          endpoint, model, deployment, code).record(ttftNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    if (overheadNanos >= 0) {
      Timer.builder("tollgate.gateway.overhead")
          .description("Time the gateway itself added: total minus upstream")
          .tags("endpoint", endpoint, "model", model)
          .serviceLevelObjectives(OVERHEAD_BUCKETS)
          .register(registry)
          .record(overheadNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(String name, String description, Duration[] buckets, String endpoint, String model,
      String deployment, String status) {
    return Timer.builder(name)
        .description(description)
        .tags("endpoint", endpoint, "model", model, "deployment", deployment, "status", status)
        .serviceLevelObjectives(buckets)
        .register(registry);
  }

  /** Tokens and cost of one usage record. */
  public void usage(String model, String deployment, TokenUsage usage, long costMicros) {
    tokens(model, deployment, "input", usage.input());
    tokens(model, deployment, "output", usage.output());
    tokens(model, deployment, "cached", usage.cached());
    tokens(model, deployment, "reasoning", usage.reasoning());
    Counter.builder("tollgate.cost.micros")
        .description("Spend in micro-dollars")
        .tags("model", model, "deployment", deployment)
        .register(registry)
        .increment(costMicros);
  }

  private void tokens(String model, String deployment, String type, long count) {
    if (count > 0) {
      Counter.builder("tollgate.tokens")
          .description("Tokens by model, deployment and type")
          .tags("model", model, "deployment", deployment, "type", type)
          .register(registry)
          .increment(count);
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
