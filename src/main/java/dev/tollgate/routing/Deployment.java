package dev.tollgate.routing;

import dev.tollgate.config.DeploymentConfig;

/**
 * One way to serve a model: a provider and the model name it knows.
 *
 * @param id stable display id, {@code provider/upstreamModel}
 */
public record Deployment(String id, String provider, String upstreamModel, int weight, DeploymentConfig config) {

  public Deployment(String id, String provider, String upstreamModel, int weight) {
    this(id, provider, upstreamModel, weight, new DeploymentConfig(provider, upstreamModel, weight));
  }
}
