package dev.tollgate.metering;

import dev.tollgate.config.ModelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the configuration says a call costs and may produce, per model: its prices and its output cap.
 * Swapped as a whole when the configuration is reloaded, so that a call sees one consistent version.
 */
public record Pricing(PriceTable prices, Map<String, OptionalLong> outputCaps) {
  public Pricing {
    outputCaps = Map.copyOf(outputCaps);
  }

  public static Pricing of(List<ModelConfig> models) {
    Map<String, OptionalLong> caps = new HashMap<>();
    models.forEach(m -> caps.put(m.name(), m.maxOutputTokens()));
    return new Pricing(PriceTable.of(models), caps);
  }

  /** The configured output cap of {@code model}, if any. */
  public OptionalLong outputCap(String model) {
    return outputCaps.getOrDefault(model, OptionalLong.empty());
  }
}
