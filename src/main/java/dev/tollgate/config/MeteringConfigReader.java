package dev.tollgate.config;

import dev.tollgate.metering.budget.BudgetSettings;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.limits.LimitSpec;
import dev.tollgate.metering.limits.LimitsConfig;
import dev.tollgate.metering.limits.ScopeKind;
import dev.tollgate.metering.wal.WalConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads {@code ledger}, {@code limits} and {@code budgets} into the records of {@code metering}. Shapes
 * and types are reported by {@link ConfigNode} under their paths; ranges and rules across fields by the
 * records themselves, whose problems are collected too, so one pass lists every mistake. Not
 * thread-safe: one loader, one thread.
 */
final class MeteringConfigReader {
  private final List<String> problems;

  MeteringConfigReader(List<String> problems) {
    this.problems = problems;
  }

  /**
   * {@code ledger}. The log's directory defaults to {@code wal} next to a SQLite database file, else
   * {@code data/wal} under the working directory: it must outlive the process, like the database.
   */
  LedgerConfig ledger(ConfigNode n, DatabaseConfig database) {
    n.expectObject();
    n.allowOnly("wal", "flush_batch", "flush_interval", "fsync_intents");
    ConfigNode w = n.child("wal");
    w.expectObject();
    w.allowOnly("directory", "segment_size", "commit_interval", "commit_size", "max_disk", "admission_headroom");
    Path directory = w.child("directory").optionalString().filter(s -> !s.isBlank()).map(Path::of)
        .orElseGet(() -> defaultWalDirectory(database.url()));
    WalConfig wal = valid(() -> new WalConfig(directory,
        w.child("segment_size").size(WalConfig.DEFAULT_SEGMENT_BYTES),
        w.child("commit_interval").duration(WalConfig.DEFAULT_COMMIT_INTERVAL),
        w.child("commit_size").size(WalConfig.DEFAULT_COMMIT_BYTES),
        w.child("max_disk").size(WalConfig.DEFAULT_MAX_DISK_BYTES),
        w.child("admission_headroom").size(WalConfig.DEFAULT_ADMISSION_HEADROOM_BYTES)))
        .orElseGet(() -> WalConfig.defaults(directory));
    int batch = n.child("flush_batch").integer(LedgerConfig.DEFAULT_FLUSH_BATCH, 1, 100_000);
    Duration interval = n.child("flush_interval").duration(LedgerConfig.DEFAULT_FLUSH_INTERVAL);
    boolean fsyncIntents = n.child("fsync_intents").bool(false);
    return valid(() -> new LedgerConfig(wal, batch, interval, fsyncIntents))
        .orElseGet(() -> LedgerConfig.defaults(wal));
  }

  static Path defaultWalDirectory(String databaseUrl) {
    String prefix = "jdbc:sqlite:";
    if (databaseUrl.startsWith(prefix)) {
      String file = databaseUrl.substring(prefix.length());
      int query = file.indexOf('?');
      file = query < 0 ? file : file.substring(0, query);
      if (file.startsWith("file:")) {
        file = file.substring("file:".length());
      }
      if (!file.isBlank() && !file.contains(":memory:") && !file.startsWith("mode=")) {
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null) {
          return parent.resolve("wal");
        }
      }
    }
    return Path.of("data", "wal");
  }

  /** {@code limits}: defaults per kind and overrides per key, user and team id. */
  LimitsConfig limits(ConfigNode n) {
    if (n.isMissing()) {
      return LimitsConfig.NONE;
    }
    n.expectObject();
    n.allowOnly("defaults", "keys", "users", "teams", "max_tracked_scopes");
    ConfigNode d = n.child("defaults");
    d.expectObject();
    d.allowOnly("key", "user", "team");
    Map<ScopeKind, LimitSpec> defaults = new EnumMap<>(ScopeKind.class);
    for (ScopeKind kind : ScopeKind.values()) {
      ConfigNode k = d.child(kind.yamlName());
      if (!k.isMissing()) {
        defaults.put(kind, spec(k));
      }
    }
    long maxTracked = n.child("max_tracked_scopes")
        .optionalLong(1, Integer.MAX_VALUE).orElse(LimitsConfig.DEFAULT_MAX_TRACKED_SCOPES);
    return valid(() -> new LimitsConfig(defaults, overrides(n.child("keys")), overrides(n.child("users")),
        overrides(n.child("teams")), maxTracked)).orElse(LimitsConfig.NONE);
  }

  private Map<String, LimitSpec> overrides(ConfigNode n) {
    Map<String, LimitSpec> out = new LinkedHashMap<>();
    for (String id : n.keys()) {
      out.put(id, spec(n.child(id)));
    }
    return out;
  }

  private static LimitSpec spec(ConfigNode n) {
    n.expectObject();
    n.allowOnly("rpm", "tpm", "max_concurrent");
    OptionalLong rpm = n.child("rpm").optionalLong(1, LimitSpec.MAX_RATE);
    OptionalLong tpm = n.child("tpm").optionalLong(1, LimitSpec.MAX_RATE);
    OptionalLong concurrent = n.child("max_concurrent").optionalLong(1, Integer.MAX_VALUE);
    return new LimitSpec(rpm, tpm, concurrent.isPresent()
        ? OptionalInt.of((int) concurrent.getAsLong()) : OptionalInt.empty());
  }

  /** {@code budgets}: how reservations behave, and the budgets declared in the file. */
  BudgetSettings budgets(ConfigNode n) {
    if (n.isMissing()) {
      return BudgetSettings.DEFAULTS;
    }
    n.expectObject();
    n.allowOnly("reservation_ttl", "flush_interval", "limits");
    Duration ttl = n.child("reservation_ttl").duration(BudgetSettings.DEFAULTS.reservationTtl());
    Duration flush = n.child("flush_interval").duration(BudgetSettings.DEFAULTS.flushInterval());
    List<BudgetSettings.Limit> limits = new ArrayList<>();
    for (ConfigNode l : n.child("limits").list()) {
      if (!l.expectObject()) {
        continue;
      }
      l.allowOnly("id", "scope", "scope_id", "amount_usd", "period", "thresholds");
      ConfigNode thresholds = l.child("thresholds");
      List<Integer> percents = null;
      if (!thresholds.isMissing()) {
        percents = new ArrayList<>();
        for (ConfigNode t : thresholds.list()) {
          percents.add(t.integer(0, 1, 1000));
        }
      }
      // The record reports missing fields itself, with the rest of its rules.
      limits.add(new BudgetSettings.Limit(text(l, "id"), text(l, "scope"), text(l, "scope_id"),
          text(l, "amount_usd"), text(l, "period"), percents));
    }
    return valid(() -> new BudgetSettings(ttl, flush, limits)).orElse(BudgetSettings.DEFAULTS);
  }

  private static String text(ConfigNode n, String field) {
    return n.child(field).optionalString().orElse(null);
  }

  /** The record, or empty with its problems collected (so every section's mistakes are listed at once). */
  private <T> Optional<T> valid(java.util.function.Supplier<T> build) {
    try {
      return Optional.of(build.get());
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return Optional.empty();
    }
  }
}
