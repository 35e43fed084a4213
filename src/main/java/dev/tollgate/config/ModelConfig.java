package dev.tollgate.config;

import java.util.List;
import java.util.Optional;

/** A model name callers use, the deployments that serve it, how it routes, and its price. */
public record ModelConfig(
    String name, List<DeploymentConfig> deployments, ModelRouting routing, Optional<PriceConfig> price) {

  public ModelConfig {
    deployments = List.copyOf(deployments);
  }

  /** The default fallback chain (for every error class without its own). */
  public List<String> fallbacks() {
    return routing.fallbacksFor(FallbackTrigger.ANY);
  }
}
