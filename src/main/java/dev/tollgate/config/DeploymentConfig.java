package dev.tollgate.config;

import java.util.List;

/**
 * One provider + upstream model that can serve a model name.
 *
 * @param rpm requests per minute this deployment may take from this node, 0 for no limit
 * @param tpm tokens per minute (input + output, counted after each call), 0 for no limit
 * @param region free-form, for display and routing rules
 * @param tags free-form labels
 */
public record DeploymentConfig(String provider, String model, int weight, int rpm, long tpm, String region,
    List<String> tags) {

  public DeploymentConfig {
    tags = List.copyOf(tags);
  }

  public DeploymentConfig(String provider, String model, int weight) {
    this(provider, model, weight, 0, 0, "", List.of());
  }
}
