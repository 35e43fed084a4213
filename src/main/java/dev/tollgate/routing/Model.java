package dev.tollgate.routing;

import dev.tollgate.config.ModelRouting;
import dev.tollgate.config.RoutingConfig;
import java.util.List;

/** A model name callers use, the deployments behind it, and how it routes among them. */
public record Model(String name, List<Deployment> deployments, ModelRouting routing) {
  public Model {
    deployments = List.copyOf(deployments);
  }

  public Model(String name, List<Deployment> deployments) {
    this(name, deployments, ModelRouting.defaults(RoutingConfig.DEFAULTS));
  }
}
