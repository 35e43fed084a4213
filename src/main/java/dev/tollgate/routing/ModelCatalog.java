package dev.tollgate.routing;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.ModelConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The models this gateway serves, by the name callers use. Immutable. */
public final class ModelCatalog {
  private final Map<String, Model> models;

  private ModelCatalog(Map<String, Model> models) {
    this.models = models;
  }

  public static ModelCatalog of(List<ModelConfig> configs) {
    Map<String, Model> m = new LinkedHashMap<>();
    for (ModelConfig c : configs) {
      List<Deployment> deployments = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (DeploymentConfig d : c.deployments()) {
        String id = d.provider() + "/" + d.model();
        String unique = id;
        for (int i = 2; !ids.add(unique); i++) {
          unique = id + "#" + i;
        }
        deployments.add(new Deployment(unique, d.provider(), d.model(), d.weight(), d));
      }
      m.put(c.name(), new Model(c.name(), deployments, c.routing()));
    }
    return new ModelCatalog(Map.copyOf(m));
  }

  public Optional<Model> find(String name) {
    return Optional.ofNullable(models.get(name));
  }

  /** All models, sorted by name for stable listings. */
  public List<Model> all() {
    return models.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }
}
