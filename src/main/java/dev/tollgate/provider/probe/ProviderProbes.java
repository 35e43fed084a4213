package dev.tollgate.provider.probe;

import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.TollgateConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Probes every configured provider at once and returns the results in configuration order: from the
 * admin API on the gateway's own Vert.x ({@link #probeAll(Vertx, TollgateConfig)}), or from the command
 * line on a Vert.x of its own ({@link #probeAllBlocking(TollgateConfig)}). Thread-safe: immutable.
 */
public final class ProviderProbes {
  private final ProviderProbe probe;

  public ProviderProbes(ProviderProbe probe) {
    this.probe = probe;
  }

  /** All providers of {@code config}, concurrently; the future always succeeds. */
  public Future<List<ProbeResult>> probeAll(Vertx vertx, TollgateConfig config) {
    return probeAll(vertx, config.providers());
  }

  /** The given providers, concurrently; the future always succeeds, one result per provider, in order. */
  public Future<List<ProbeResult>> probeAll(Vertx vertx, List<ProviderConfig> providers) {
    List<Future<ProbeResult>> running = new ArrayList<>(providers.size());
    for (ProviderConfig p : providers) {
      running.add(probe.probe(vertx, p).recover(e -> Future.succeededFuture(
          new ProbeResult(p.name(), p.type(), ProbeStatus.DOWN, 0, "probe failed: " + e.getClass().getSimpleName()))));
    }
    return Future.join(running).map(all -> {
      List<ProbeResult> results = new ArrayList<>(running.size());
      running.forEach(f -> results.add(f.result()));
      return List.copyOf(results);
    });
  }

  /**
   * Starts a Vert.x instance, probes every provider of {@code config}, and closes it again. Blocks the
   * calling thread, which must not be a Vert.x thread.
   */
  public List<ProbeResult> probeAllBlocking(TollgateConfig config) {
    Vertx vertx = Vertx.vertx();
    try {
      return probeAll(vertx, config).await();
    } finally {
      vertx.close().await();
    }
  }
}
