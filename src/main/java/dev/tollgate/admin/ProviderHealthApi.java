package dev.tollgate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Policy;
import dev.tollgate.access.policy.Target;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.provider.probe.HealthReport;
import dev.tollgate.provider.probe.ProviderProbes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /admin/v1/providers/health}: each provider's reachability and credentials, checked with
 * its cheapest call (the same check as {@code tollgate doctor}). Results are shared for a few
 * seconds: every check is a real request to every provider, and a dashboard polling this must not
 * multiply them. Always 200; {@code healthy} says whether all are up. Thread-safe.
 */
public final class ProviderHealthApi {
  private static final Duration CACHE_FOR = Duration.ofSeconds(10);

  private final ProviderProbes probes;
  private final List<ProviderConfig> providers;
  private final ObjectMapper json;
  private final Clock clock;
  private final AtomicReference<Cached> cached = new AtomicReference<>();

  private record Cached(long expiresAtMillis, Future<ObjectNode> report) {}

  public ProviderHealthApi(ProviderProbes probes, List<ProviderConfig> providers, ObjectMapper json, Clock clock) {
    this.probes = probes;
    this.providers = List.copyOf(providers);
    this.json = json;
    this.clock = clock;
  }

  /** The route; the policy lets organisation-wide readers see it. */
  public List<AdminRoute> routes(Vertx vertx, Policy policy) {
    Guard guard = new Guard(policy);
    return List.of(AdminRoute.get("/admin/v1/providers/health", Action.PROVIDER_HEALTH_READ,
        "Each provider's reachability and credentials, checked with its cheapest call",
        Doc.one("getProviderHealth", "ProviderHealth"), call -> {
          guard.require(call, Action.PROVIDER_HEALTH_READ, Target.global());
          return report(vertx);
        }));
  }

  private ObjectNode report(Vertx vertx) {
    long now = clock.millis();
    Cached current = cached.get();
    if (current == null || now >= current.expiresAtMillis()) {
      Cached fresh = new Cached(now + CACHE_FOR.toMillis(), probes.probeAll(vertx, providers)
          .map(results -> HealthReport.toJson(json, results, clock.instant())));
      current = cached.compareAndSet(current, fresh) ? fresh : cached.get();
    }
    try {
      return current.report().toCompletionStage().toCompletableFuture().join();
    } catch (RuntimeException e) {
      return json.createObjectNode().put("healthy", false);
    }
  }
}
