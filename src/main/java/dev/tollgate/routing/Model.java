package dev.tollgate.routing;

import java.util.List;

/** A model name callers use and the deployments behind it. */
public record Model(String name, List<Deployment> deployments, List<String> fallbacks) {
  public Model {
    deployments = List.copyOf(deployments);
    fallbacks = List.copyOf(fallbacks);
  }
}
