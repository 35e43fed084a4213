package dev.tollgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one model routes, with the global defaults already applied.
 *
 * @param fallbacks models to try, in order, when this model's deployments fail with an error of
 *     the trigger's class; {@link FallbackTrigger#ANY} applies to every class without its own list
 * @param hedgeAfter start a second deployment if the first has not produced a token by then
 */
public record ModelRouting(RoutingStrategy strategy, int maxAttempts, Duration requestTimeout,
    Map<FallbackTrigger, List<String>> fallbacks, Optional<Duration> hedgeAfter) {

  public ModelRouting {
    fallbacks = Map.copyOf(fallbacks);
  }

  public static ModelRouting defaults(RoutingConfig routing) {
    return new ModelRouting(routing.strategy(), routing.maxAttempts(), routing.requestTimeout(), Map.of(),
        Optional.empty());
  }

  /** The fallbacks for an error class: its own list when configured, else the default list. */
  public List<String> fallbacksFor(FallbackTrigger trigger) {
    List<String> own = fallbacks.get(trigger);
    return own != null ? own : fallbacks.getOrDefault(FallbackTrigger.ANY, List.of());
  }
}
