package dev.tollgate.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.KeyCache;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.metering.ledger.Ledger;
import dev.tollgate.metering.ledger.LedgerStatus;
import dev.tollgate.store.Database;
import java.time.Duration;
import dev.tollgate.routing.Router;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Answers "is this node well?": the database (reachable, migrated), the usage ledger, the key cache
 * and the configured providers. Checks block, so they run on the given virtual-thread executor.
 */
public final class HealthService {
  /** Overall and per-component status. */
  public enum Status {
    UP,
    DEGRADED,
    DOWN
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final Database database;
  private final Ledger ledger;
  private final KeyCache keys;
  private final List<ProviderConfig> providers;
  private final ExecutorService blocking;
  private final Router router;

  public HealthService(Database database, Ledger ledger, KeyCache keys, List<ProviderConfig> providers,
      ExecutorService blocking, Router router) {
    this.router = router;
    this.database = database;
    this.ledger = ledger;
    this.keys = keys;
    this.providers = List.copyOf(providers);
    this.blocking = blocking;
  }

  /** Readiness: the database answers and every migration is applied. Blocks up to a few seconds. */
  public boolean ready() {
    return databaseStatus().status == Status.UP;
  }

  private record Check(Status status, String detail) {}

  private Check databaseStatus() {
    CompletableFuture<Check> check = CompletableFuture.supplyAsync(() -> {
      try {
        database.ping();
        return database.migrated()
            ? new Check(Status.UP, database.dialect() + " reachable, migrations applied")
            : new Check(Status.DOWN, database.dialect() + " reachable, migrations pending: run 'tollgate migrate'");
      } catch (RuntimeException e) {
        return new Check(Status.DOWN, database.dialect() + " unreachable: " + e.getClass().getSimpleName());
      }
    }, blocking);
    try {
      return check.get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Check(Status.DOWN, "interrupted");
    } catch (Exception e) {
      check.cancel(true);
      return new Check(Status.DOWN, database.dialect() + " did not answer within " + CHECK_TIMEOUT.toMillis() + " ms");
    }
  }

  /** Every component with status and detail. Blocks up to a few seconds. */
  public ObjectNode report() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode components = JSON.createObjectNode();
    Check db = databaseStatus();
    components.putObject("database").put("status", db.status.name()).put("detail", db.detail);

    LedgerStatus ledgerStatus = ledger.status();
    boolean nearCap = ledgerStatus.diskBytes() > ledgerStatus.maxDiskBytes() * 0.9;
    Status usageStatus = ledgerStatus.failed() ? Status.DOWN
        : !ledgerStatus.databaseHealthy() || nearCap ? Status.DEGRADED : Status.UP;
    components.putObject("ledger")
        .put("status", usageStatus.name())
        .put("lag_events", ledgerStatus.lagEvents())
        .put("lag_seconds", ledgerStatus.lagAge().toMillis() / 1000.0)
        .put("written", ledgerStatus.flushed())
        .put("failed_batches", ledgerStatus.failedBatches())
        .put("interrupted", ledgerStatus.interrupted())
        .put("unreadable_records", ledgerStatus.unreadable())
        .put("disk_bytes", ledgerStatus.diskBytes())
        .put("max_disk_bytes", ledgerStatus.maxDiskBytes())
        .put("detail", ledgerStatus.failed() ? "the local log failed (disk error): no call can be admitted"
            : nearCap ? "the local log is near its disk cap: new calls are refused past it"
            : ledgerStatus.databaseHealthy() ? "writing"
            : "database writes failing; events kept in the local log and retried");

    Status keyStatus = db.status == Status.UP ? Status.UP : Status.DEGRADED;
    components.putObject("api_keys")
        .put("status", keyStatus.name())
        .put("cached", keys.size())
        .put("detail", keyStatus == Status.UP ? "served from memory, refreshed from the database"
            : "served from memory; the database is unavailable, so new keys cannot be checked");

    ObjectNode providerNode = components.putObject("providers");
    for (ProviderConfig p : providers) {
      providerNode.putObject(p.name()).put("status", Status.UP.name()).put("type", p.type().configName());
    }

    // Each model's deployments as the router sees them: a model with none available is down.
    ObjectNode deploymentsNode = components.putObject("deployments");
    Map<String, Boolean> modelUp = new LinkedHashMap<>();
    router.health().forEach((id, h) -> {
      Status st = h.available() ? (h.breakerState() == CircuitBreaker.State.CLOSED ? Status.UP : Status.DEGRADED)
          : Status.DOWN;
      String model = id.substring(0, id.indexOf("::"));
      modelUp.merge(model, h.available(), Boolean::logicalOr);
      ObjectNode n = deploymentsNode.putObject(id.replace("::", " via "));
      n.put("status", st.name())
          .put("breaker", h.breakerState().name().toLowerCase(Locale.ROOT))
          .put("failure_rate_percent", Math.max(0, Math.round(h.failureRate())))
          .put("in_flight", h.inFlight());
      if (h.coolingForMillis() > 0) {
        n.put("rate_limited_for_ms", h.coolingForMillis());
      }
      if (h.ttftNanos() >= 0) {
        n.put("ttft_ms_average", Math.round(h.ttftNanos() / 1_000_000.0));
      }
    });
    boolean anyModelDown = modelUp.containsValue(false);

    // The data plane keeps serving from memory without the database: degraded, not down.
    Status overall = db.status != Status.UP || usageStatus != Status.UP || anyModelDown ? Status.DEGRADED : Status.UP;
    root.put("status", overall.name());
    root.set("components", components);
    return root;
  }
}
