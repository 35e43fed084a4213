package dev.tollgate.metering.limits;

import dev.tollgate.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rate limits of callers, YAML {@code limits}: a default spec per scope kind and overrides by id.
 * An override inherits each field it leaves out from its kind's default (a key given only {@code rpm}
 * keeps the default {@code tpm}). The constructor validates everything and throws a
 * {@link ConfigException} listing each problem with its YAML path.
 *
 * <pre>{@code
 * limits:
 *   max_tracked_scopes: 100000
 *   defaults:
 *     key:  { rpm: 600, tpm: 200000, max_concurrent: 20 }
 *     team: { rpm: 6000, tpm: 2000000 }
 *   keys:  { k-0190...: { rpm: 60 } }
 *   users: { u-0190...: { max_concurrent: 4 } }
 *   teams: { research: { tpm: 5000000 } }
 * }</pre>
 *
 * @param defaults {@code limits.defaults.<key|user|team>}: the spec of every scope of that kind
 * @param keys {@code limits.keys.<id>}: overrides for single keys
 * @param users {@code limits.users.<id>}: overrides for single users
 * @param teams {@code limits.teams.<id>}: overrides for single teams
 * @param maxTrackedScopes {@code limits.max_tracked_scopes}: scopes whose counters are kept in memory
 *     at once; beyond it the least valuable idle ones are forgotten (see {@link RateLimiter})
 */
public record LimitsConfig(Map<ScopeKind, LimitSpec> defaults, Map<String, LimitSpec> keys,
    Map<String, LimitSpec> users, Map<String, LimitSpec> teams, long maxTrackedScopes) {

  /** Far more scopes than one node sees active within a minute (an idle scope is forgotten after one). */
  public static final long DEFAULT_MAX_TRACKED_SCOPES = 100_000;

  /** No limits at all. */
  public static final LimitsConfig NONE =
      new LimitsConfig(Map.of(), Map.of(), Map.of(), Map.of(), DEFAULT_MAX_TRACKED_SCOPES);

  public LimitsConfig {
    List<String> problems = new ArrayList<>();
    defaults = defaults == null ? Map.of() : Map.copyOf(defaults);
    keys = keys == null ? Map.of() : Map.copyOf(keys);
    users = users == null ? Map.of() : Map.copyOf(users);
    teams = teams == null ? Map.of() : Map.copyOf(teams);
    // Sorted, so that messages come in a stable order.
    new TreeMap<>(defaults).forEach(
        (kind, spec) -> problems.addAll(spec.problems("limits.defaults." + kind.yamlName())));
    overrideProblems(ScopeKind.KEY, keys, problems);
    overrideProblems(ScopeKind.USER, users, problems);
    overrideProblems(ScopeKind.TEAM, teams, problems);
    if (maxTrackedScopes < 1) {
      problems.add("limits.max_tracked_scopes: " + maxTrackedScopes + " (expected: >= 1)");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** Only defaults per kind, no overrides, the default bound on tracked scopes. */
  public static LimitsConfig ofDefaults(Map<ScopeKind, LimitSpec> defaults) {
    return new LimitsConfig(defaults, Map.of(), Map.of(), Map.of(), DEFAULT_MAX_TRACKED_SCOPES);
  }

  private static void overrideProblems(ScopeKind kind, Map<String, LimitSpec> overrides, List<String> problems) {
    new TreeMap<>(overrides).forEach((id, spec) -> {
      if (id.isBlank()) {
        problems.add("limits." + kind.plural() + ": '" + id + "' (expected: a " + kind.yamlName() + " id, not blank)");
      }
      problems.addAll(spec.problems("limits." + kind.plural() + "." + id));
    });
  }

  /** Whether no scope has any limit: then admission need not look at the caller's scopes at all. */
  public boolean limitsNothing() {
    return allEmpty(defaults) && allEmpty(keys) && allEmpty(users) && allEmpty(teams);
  }

  private static boolean allEmpty(Map<?, LimitSpec> specs) {
    for (LimitSpec spec : specs.values()) {
      if (!spec.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The limits of one scope: its override over its kind's default; {@link LimitSpec#NONE} when neither exists. */
  public LimitSpec specFor(Scope scope) {
    LimitSpec base = defaults.getOrDefault(scope.kind(), LimitSpec.NONE);
    LimitSpec override = overrides(scope.kind()).get(scope.id());
    return override == null ? base : override.orElse(base);
  }

  private Map<String, LimitSpec> overrides(ScopeKind kind) {
    return switch (kind) {
      case KEY -> keys;
      case USER -> users;
      case TEAM -> teams;
    };
  }
}
