package dev.tollgate.config;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A model name callers use, the deployments that serve it, how it routes, and its price.
 *
 * @param maxOutputTokens the most a call may produce when it sets no {@code max_tokens}: the output part
 *     of the worst case reserved against budgets (default: the upstream model's known cap)
 */
public record ModelConfig(String name, List<DeploymentConfig> deployments, ModelRouting routing,
    Optional<PriceConfig> price, OptionalLong maxOutputTokens) {

  public ModelConfig {
    deployments = List.copyOf(deployments);
  }

  /** A model with no output cap of its own. */
  public ModelConfig(String name, List<DeploymentConfig> deployments, ModelRouting routing,
      Optional<PriceConfig> price) {
    this(name, deployments, routing, price, OptionalLong.empty());
  }

  /** The default fallback chain (for every error class without its own). */
  public List<String> fallbacks() {
    return routing.fallbacksFor(FallbackTrigger.ANY);
  }
}
