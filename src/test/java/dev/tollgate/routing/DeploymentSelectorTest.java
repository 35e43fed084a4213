package dev.tollgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.BreakerConfig;
import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.FallbackTrigger;
import dev.tollgate.config.ModelConfig;
import dev.tollgate.config.ModelRouting;
import dev.tollgate.config.PriceConfig;
import dev.tollgate.config.RoutingStrategy;
import dev.tollgate.metering.PriceTable;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class DeploymentSelectorTest {
  private final MutableClock clock = new MutableClock();
  private final RandomGenerator random = new SplittableRandom(42);
  private final AtomicReference<PriceTable> prices = new AtomicReference<>(PriceTable.of(List.of()));
  private final DeploymentSelector selector = new DeploymentSelector(() -> random, prices::get, clock);

  private DeploymentHealth health(String upstreamModel, int weight) {
    DeploymentConfig config = new DeploymentConfig("p", upstreamModel, weight);
    return new DeploymentHealth(new Deployment("p/" + upstreamModel, "p", upstreamModel, weight, config),
        BreakerConfig.DEFAULTS, clock);
  }

  private static Model model(RoutingStrategy strategy, List<DeploymentHealth> deployments) {
    return new Model("m", deployments.stream().map(DeploymentHealth::deployment).toList(),
        new ModelRouting(strategy, 3, Duration.ofMinutes(1), Map.<FallbackTrigger, List<String>>of(), Optional.empty()));
  }

  private Map<String, Integer> picks(Model model, List<DeploymentHealth> candidates, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(selector.choose(model, candidates).orElseThrow().health().deployment().upstreamModel(), 1,
          Integer::sum);
    }
    return counts;
  }

  @Test
  void weightedPicksInProportionToWeight() {
    List<DeploymentHealth> all = List.of(health("a", 3), health("b", 1));
    Map<String, Integer> counts = picks(model(RoutingStrategy.WEIGHTED, all), all, 8_000);
    assertThat(counts.get("a")).isBetween(5_700, 6_300);
    assertThat(counts.get("b")).isBetween(1_700, 2_300);
  }

  @Test
  void leastBusyPicksTheDeploymentWithFewestRequestsInFlight() {
    DeploymentHealth busy = health("busy", 1);
    DeploymentHealth idle = health("idle", 1);
    assertThat(busy.tryAcquire()).isTrue();
    assertThat(busy.tryAcquire()).isTrue();
    assertThat(idle.tryAcquire()).isTrue();
    List<DeploymentHealth> all = List.of(busy, idle);
    assertThat(picks(model(RoutingStrategy.LEAST_BUSY, all), all, 100)).containsOnlyKeys("idle");
  }

  @Test
  void lowestLatencyMeasuresFirstThenPrefersTheFasterWhileStillExploring() {
    DeploymentHealth slow = health("slow", 1);
    DeploymentHealth fast = health("fast", 1);
    List<DeploymentHealth> all = List.of(slow, fast);
    Model model = model(RoutingStrategy.LOWEST_LATENCY, all);
    assertThat(selector.choose(model, all).orElseThrow().reason()).isEqualTo("lowest_latency:measuring");

    for (DeploymentHealth h : all) {
      assertThat(h.tryAcquire()).isTrue();
      h.succeeded(h == slow ? 900_000_000L : 100_000_000L);
    }
    Map<String, Integer> counts = picks(model, all, 10_000);
    // 90% to the fastest, the exploring 10% split by weight.
    assertThat(counts.get("fast")).isBetween(9_300, 9_700);
    assertThat(counts.get("slow")).isBetween(300, 700);
  }

  @Test
  void aDeploymentNotMeasuredForAMinuteIsMeasuredAgainSoARecoveredOneWinsTrafficBack() {
    DeploymentHealth slow = health("was-slow", 1);
    DeploymentHealth fast = health("fast", 1);
    List<DeploymentHealth> all = List.of(slow, fast);
    Model model = model(RoutingStrategy.LOWEST_LATENCY, all);
    assertThat(slow.tryAcquire()).isTrue();
    slow.succeeded(2_000_000_000L);
    clock.advance(Duration.ofSeconds(61));
    assertThat(fast.tryAcquire()).isTrue();
    fast.succeeded(100_000_000L);

    DeploymentSelector.Choice choice = selector.choose(model, all).orElseThrow();
    assertThat(choice.health()).isSameAs(slow);
    assertThat(choice.reason()).isEqualTo("lowest_latency:measuring");
  }

  @Test
  void lowestCostPicksTheCheapestListPrice() {
    List<DeploymentHealth> all = List.of(health("gpt-4o", 1), health("gpt-4o-mini", 1), health("o1", 1));
    assertThat(picks(model(RoutingStrategy.LOWEST_COST, all), all, 50)).containsOnlyKeys("gpt-4o-mini");
  }

  @Test
  void lowestCostFollowsThePricesInForceNow() {
    List<DeploymentHealth> all = List.of(health("gpt-4o", 1), health("gpt-4o-mini", 1), health("o1", 1));
    Model model = model(RoutingStrategy.LOWEST_COST, all);
    assertThat(picks(model, all, 50)).containsOnlyKeys("gpt-4o-mini");

    // A reload prices model "m" itself: every deployment now bills the same, so none is cheaper than another.
    prices.set(PriceTable.of(List.of(new ModelConfig("m", List.of(), model.routing(), Optional.of(
        new PriceConfig(new BigDecimal("1"), new BigDecimal("2"), Optional.empty()))))));
    assertThat(picks(model, all, 300)).containsOnlyKeys("gpt-4o", "gpt-4o-mini", "o1");
  }

  @Test
  void noCandidateMeansNoChoice() {
    assertThat(selector.choose(model(RoutingStrategy.WEIGHTED, List.of()), List.of())).isEmpty();
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-11-26T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
