package dev.tollgate.routing;

import dev.tollgate.config.RoutingStrategy;
import dev.tollgate.metering.Price;
import dev.tollgate.metering.PriceTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Picks one deployment among available ones by a model's strategy. Thread-safe; the random supplier
 * hands each thread its generator ({@code ThreadLocalRandom::current} in production, seeded in tests).
 */
public final class DeploymentSelector {
  /** Share of lowest-latency picks that go to a random deployment, so a recovered one is measured again. */
  static final double EXPLORATION = 0.1;
  /** A latency older than this no longer describes the deployment: measure it again. */
  static final long STALE_MILLIS = 60_000;

  private final Supplier<? extends RandomGenerator> random;
  private final Supplier<PriceTable> prices;
  private final Clock clock;

  /**
   * @param prices read at every lowest-cost choice: a reloaded configuration's prices steer the next call, as they
   *     bill it
   */
  public DeploymentSelector(Supplier<? extends RandomGenerator> random, Supplier<PriceTable> prices, Clock clock) {
    this.random = random;
    this.prices = prices;
    this.clock = clock;
  }

  /** One of {@code candidates} (all available), with the reason for the routing header; empty if none. */
  public Optional<Choice> choose(Model model, List<DeploymentHealth> candidates) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    RoutingStrategy strategy = model.routing().strategy();
    if (candidates.size() == 1) {
      return Optional.of(new Choice(candidates.getFirst(), strategy.configName()));
    }
    return Optional.of(switch (strategy) {
      case WEIGHTED -> new Choice(weighted(candidates), "weighted");
      case LEAST_BUSY -> new Choice(weighted(lowest(candidates, DeploymentHealth::inFlight)), "least_busy");
      case LOWEST_LATENCY -> lowestLatency(candidates);
      case LOWEST_COST -> new Choice(weighted(lowest(candidates, h -> cost(model, h))), "lowest_cost");
    });
  }

  /** A chosen deployment and why. */
  public record Choice(DeploymentHealth health, String reason) {}

  private Choice lowestLatency(List<DeploymentHealth> candidates) {
    long now = clock.millis();
    List<DeploymentHealth> unmeasured = candidates.stream()
        .filter(h -> h.ttftNanos() < 0 || now - h.lastLatencySampleMillis() > STALE_MILLIS)
        .toList();
    if (!unmeasured.isEmpty()) {
      return new Choice(weighted(unmeasured), "lowest_latency:measuring");
    }
    if (random.get().nextDouble() < EXPLORATION) {
      return new Choice(weighted(candidates), "lowest_latency:exploring");
    }
    return new Choice(weighted(lowest(candidates, DeploymentHealth::ttftNanos)), "lowest_latency");
  }

  private double cost(Model model, DeploymentHealth h) {
    Price p = prices.get().price(model.name(), h.deployment().upstreamModel());
    return p.inputMicrosPerMtok() + (double) p.outputMicrosPerMtok();
  }

  private static List<DeploymentHealth> lowest(List<DeploymentHealth> candidates, ToDoubleFunction<DeploymentHealth> key) {
    double best = Double.MAX_VALUE;
    List<DeploymentHealth> out = new ArrayList<>();
    for (DeploymentHealth h : candidates) {
      double v = key.applyAsDouble(h);
      if (v < best) {
        best = v;
        out.clear();
      }
      if (v == best) {
        out.add(h);
      }
    }
    return out;
  }

  private DeploymentHealth weighted(List<DeploymentHealth> candidates) {
    if (candidates.size() == 1) {
      return candidates.getFirst();
    }
    long total = 0;
    for (DeploymentHealth h : candidates) {
      total += h.deployment().weight();
    }
    long pick = random.get().nextLong(total);
    for (DeploymentHealth h : candidates) {
      pick -= h.deployment().weight();
      if (pick < 0) {
        return h;
      }
    }
    return candidates.getLast();
  }
}
