package dev.tollgate.metering;

import dev.tollgate.config.ModelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prices by model: the configured price of a model name first, then the built-in list price of the
 * upstream model, else free (local models). Immutable.
 */
public final class PriceTable {
  /** USD per million tokens: input, output, cached input. Public list prices; config overrides them. */
  private static final Map<String, Price> BUILT_IN = Map.ofEntries(
      Map.entry("gpt-4o", Price.usdPerMtok("2.50", "10.00", "1.25")),
      Map.entry("gpt-4o-mini", Price.usdPerMtok("0.15", "0.60", "0.075")),
      Map.entry("gpt-4.1", Price.usdPerMtok("2.00", "8.00", "0.50")),
      Map.entry("gpt-4.1-mini", Price.usdPerMtok("0.40", "1.60", "0.10")),
      Map.entry("gpt-4.1-nano", Price.usdPerMtok("0.10", "0.40", "0.025")),
      Map.entry("gpt-4-turbo", Price.usdPerMtok("10.00", "30.00", null)),
      Map.entry("gpt-3.5-turbo", Price.usdPerMtok("0.50", "1.50", null)),
      Map.entry("o1", Price.usdPerMtok("15.00", "60.00", "7.50")),
      Map.entry("o1-mini", Price.usdPerMtok("1.10", "4.40", "0.55")),
      Map.entry("o3", Price.usdPerMtok("2.00", "8.00", "0.50")),
      Map.entry("o3-mini", Price.usdPerMtok("1.10", "4.40", "0.55")),
      Map.entry("o4-mini", Price.usdPerMtok("1.10", "4.40", "0.275")),
      Map.entry("text-embedding-3-small", Price.usdPerMtok("0.02", "0", null)),
      Map.entry("text-embedding-3-large", Price.usdPerMtok("0.13", "0", null)),
      Map.entry("text-embedding-ada-002", Price.usdPerMtok("0.10", "0", null)),
      // Anthropic bills writes to its prompt cache (5-minute) at 1.25 x the input price.
      Map.entry("claude-3-5-haiku-latest", Price.usdPerMtok("0.80", "4.00", "0.08").withCacheWrite("1.00")),
      Map.entry("claude-3-5-sonnet-latest", Price.usdPerMtok("3.00", "15.00", "0.30").withCacheWrite("3.75")),
      Map.entry("claude-sonnet-4-0", Price.usdPerMtok("3.00", "15.00", "0.30").withCacheWrite("3.75")),
      Map.entry("claude-opus-4-0", Price.usdPerMtok("15.00", "75.00", "1.50").withCacheWrite("18.75")),
      Map.entry("gemini-2.0-flash", Price.usdPerMtok("0.10", "0.40", "0.025")),
      Map.entry("gemini-2.5-flash", Price.usdPerMtok("0.30", "2.50", "0.075")),
      Map.entry("gemini-2.5-pro", Price.usdPerMtok("1.25", "10.00", "0.31")),
      Map.entry("deepseek-chat", Price.usdPerMtok("0.27", "1.10", "0.07")),
      Map.entry("mistral-large-latest", Price.usdPerMtok("2.00", "6.00", null)));

  private final Map<String, Price> configured;
  /**
   * Built-in prices found by name so far ({@link Price#FREE} for none): a dated snapshot's family is
   * looked up once, not by a scan of every known name on each of a call's three pricings. Names are
   * those of the configured models and deployments, so the map stays small.
   */
  private final Map<String, Price> resolved = new ConcurrentHashMap<>();

  private PriceTable(Map<String, Price> configured) {
    this.configured = Map.copyOf(configured);
  }

  public static PriceTable of(List<ModelConfig> models) {
    Map<String, Price> m = new HashMap<>();
    for (ModelConfig model : models) {
      model.price().ifPresent(p -> {
        Price price = Price.usdPerMtok(p.inputPerMtok(), p.outputPerMtok(), p.cachedInputPerMtok().orElse(null));
        price = p.cacheWritePerMtok().map(price::withCacheWrite).orElse(price);
        m.put(model.name(), p.perRequest().map(price::withRequestFee).orElse(price));
      });
    }
    return new PriceTable(m);
  }

  /** Price of a call to {@code model} served by {@code upstreamModel}. */
  public Price price(String model, String upstreamModel) {
    Price p = configured.get(model);
    if (p != null) {
      return p;
    }
    Price upstream = resolved(upstreamModel);
    return upstream != Price.FREE ? upstream : resolved(model);
  }

  private Price resolved(String name) {
    Price price = resolved.get(name);
    return price != null ? price : resolved.computeIfAbsent(name, n -> builtIn(n).orElse(Price.FREE));
  }

  static Optional<Price> builtIn(String model) {
    Price exact = BUILT_IN.get(model);
    if (exact != null) {
      return Optional.of(exact);
    }
    // Dated snapshots ("gpt-4o-2024-08-06") cost what their family costs.
    String best = null;
    for (String known : BUILT_IN.keySet()) {
      if (model.startsWith(known + "-") && (best == null || known.length() > best.length())) {
        best = known;
      }
    }
    return Optional.ofNullable(best).map(BUILT_IN::get);
  }
}
