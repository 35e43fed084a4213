package dev.tollgate.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a model picks among its deployments. */
public enum RoutingStrategy {
  /** At random, in proportion to the deployments' weights. */
  WEIGHTED,
  /** The deployment with the fewest requests in flight on this node. */
  LEAST_BUSY,
  /** The lowest moving average of time to first token, with some exploration. */
  LOWEST_LATENCY,
  /** The cheapest by price per token (input and output averaged). */
  LOWEST_COST;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<RoutingStrategy> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.configName().equals(s)).findFirst();
  }

  static String known() {
    return Arrays.stream(values()).map(RoutingStrategy::configName).collect(Collectors.joining(", "));
  }
}
