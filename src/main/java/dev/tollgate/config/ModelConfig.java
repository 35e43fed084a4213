package dev.tollgate.config;

import java.util.List;
import java.util.Optional;

/** A model name callers use, the deployments that serve it, and its price. */
public record ModelConfig(
    String name, List<DeploymentConfig> deployments, List<String> fallbacks, Optional<PriceConfig> price) {

  public ModelConfig {
    deployments = List.copyOf(deployments);
    fallbacks = List.copyOf(fallbacks);
  }
}
