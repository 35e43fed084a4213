package dev.tollgate.routing;

import dev.tollgate.config.RoutingConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Plans each request's route through the deployments of its model and its fallbacks, using what
 * this node knows of every deployment's health. One per gateway, shared by the event loops; thread-safe.
 */
public final class Router {
  private final ModelCatalog catalog;
  private final RoutingConfig config;
  private final DeploymentSelector selector;
  private final Supplier<? extends RandomGenerator> random;
  private final Clock clock;
  private final Map<String, List<DeploymentHealth>> byModel;
  private final Map<String, DeploymentHealth> byId;

  public Router(ModelCatalog catalog, RoutingConfig config, DeploymentSelector selector,
      Supplier<? extends RandomGenerator> random, Clock clock) {
    this.catalog = catalog;
    this.config = config;
    this.selector = selector;
    this.random = random;
    this.clock = clock;
    Map<String, List<DeploymentHealth>> models = new LinkedHashMap<>();
    Map<String, DeploymentHealth> ids = new LinkedHashMap<>();
    for (Model m : catalog.all()) {
      List<DeploymentHealth> list = new ArrayList<>();
      for (Deployment d : m.deployments()) {
        // Each model's deployments have their own health, even when two models share a provider model:
        // ids are unique per model only, and a model's breaker must not open on another's failures.
        DeploymentHealth h = new DeploymentHealth(d, config.breaker(), clock);
        list.add(h);
        ids.put(m.name() + "::" + d.id(), h);
      }
      models.put(m.name(), List.copyOf(list));
    }
    this.byModel = Map.copyOf(models);
    this.byId = Map.copyOf(ids);
  }

  /** A fresh plan for one request to {@code model} by a caller who may use the models {@code mayUse} accepts. */
  public RoutePlan plan(Model model, Predicate<String> mayUse) {
    return new RoutePlan(this, model, mayUse, System.nanoTime() + model.routing().requestTimeout().toNanos());
  }

  List<DeploymentHealth> deployments(Model model) {
    return byModel.getOrDefault(model.name(), List.of());
  }

  /** Every deployment's health, keyed {@code model::deployment}, for /health and /metrics. */
  public Map<String, DeploymentHealth> health() {
    return byId;
  }

  ModelCatalog catalog() {
    return catalog;
  }

  RoutingConfig config() {
    return config;
  }

  DeploymentSelector selector() {
    return selector;
  }

  RandomGenerator random() {
    return random.get();
  }

  Clock clock() {
    return clock;
  }
}
