package dev.tollgate.routing;

import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Picks a deployment with probability proportional to its weight. Thread-safe: the supplier hands each
 * thread its generator ({@code ThreadLocalRandom::current} in production, a seeded one in tests).
 */
public final class WeightedSelector {
  private final Supplier<? extends RandomGenerator> random;

  public WeightedSelector(Supplier<? extends RandomGenerator> random) {
    this.random = random;
  }

  public Deployment select(Model model) {
    List<Deployment> deployments = model.deployments();
    if (deployments.size() == 1) {
      return deployments.getFirst();
    }
    long total = 0;
    for (Deployment d : deployments) {
      total += d.weight();
    }
    long pick = random.get().nextLong(total);
    for (Deployment d : deployments) {
      pick -= d.weight();
      if (pick < 0) {
        return d;
      }
    }
    return deployments.getLast();
  }
}
