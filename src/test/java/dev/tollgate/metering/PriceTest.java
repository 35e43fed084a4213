package dev.tollgate.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.ModelConfig;
import dev.tollgate.config.ModelRouting;
import dev.tollgate.config.RoutingConfig;
import dev.tollgate.config.PriceConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Money is integer micro-dollars, computed exactly and rounded once per call. */
class PriceTest {
  private static final ModelRouting DEFAULT_ROUTING = ModelRouting.defaults(RoutingConfig.DEFAULTS);

  private static final Price MINI = Price.usdPerMtok("0.15", "0.60", "0.075");

  private static TokenUsage usage(long input, long output, long cached) {
    return new TokenUsage(input, output, cached, 0, false);
  }

  // ---------------------------------------------------------------- conversion from USD

  @Test
  void convertsUsdPerMillionTokensToMicros() {
    assertThat(MINI).isEqualTo(new Price(150_000, 600_000, 75_000));
    assertThat(Price.usdPerMtok(new BigDecimal("15.00"), new BigDecimal("75"), new BigDecimal("1.5")))
        .isEqualTo(new Price(15_000_000, 75_000_000, 1_500_000));
  }

  @Test
  void cachedInputDefaultsToTheInputPrice() {
    assertThat(Price.usdPerMtok("0.50", "1.50", null)).isEqualTo(new Price(500_000, 1_500_000, 500_000));
    assertThat(Price.usdPerMtok(new BigDecimal("2"), BigDecimal.ONE, null)).isEqualTo(new Price(2_000_000, 1_000_000, 2_000_000));
  }

  @ParameterizedTest
  @CsvSource({"0.0000005, 1", "0.0000004, 0", "0.0000015, 2", "0.1234565, 123457", "0, 0", "1234.5, 1234500000"})
  void subMicroPricesRoundHalfUp(String usd, long micros) {
    assertThat(Price.usdPerMtok(usd, "0", null).inputMicrosPerMtok()).isEqualTo(micros);
  }

  // ---------------------------------------------------------------- cost arithmetic

  @Test
  void costSplitsCachedAndUncachedInput() {
    // 800 uncached * 150,000 + 200 cached * 75,000 + 500 output * 600,000 = 435,000,000 micro-dollar-tokens
    assertThat(MINI.costMicros(usage(1000, 500, 200))).isEqualTo(435);
  }

  @Test
  void aMillionTokensCostTheListPrice() {
    Price gpt4o = Price.usdPerMtok("2.50", "10.00", "1.25");
    assertThat(gpt4o.costMicros(usage(1_000_000, 0, 0))).isEqualTo(2_500_000);
    assertThat(gpt4o.costMicros(usage(0, 1_000_000, 0))).isEqualTo(10_000_000);
    assertThat(gpt4o.costMicros(usage(1_000_000, 0, 1_000_000))).isEqualTo(1_250_000);
    assertThat(gpt4o.costMicros(usage(3_000_000, 2_000_000, 1_000_000))).isEqualTo(5_000_000 + 1_250_000 + 20_000_000);
  }

  @ParameterizedTest
  @CsvSource({
      "3, 0",   // 450,000 / 1e6 = 0.45 -> 0
      "4, 1",   // 0.6 -> 1
      "10, 2",  // 1.5 -> 2 (half up)
      "0, 0"})
  void costRoundsHalfUpToWholeMicros(long inputTokens, long micros) {
    assertThat(MINI.costMicros(usage(inputTokens, 0, 0))).isEqualTo(micros);
  }

  @Test
  void exactlyHalfAMicroRoundsUp() {
    assertThat(new Price(500_000, 0, 0).costMicros(usage(1, 0, 0))).isEqualTo(1);
    assertThat(new Price(499_999, 0, 0).costMicros(usage(1, 0, 0))).isZero();
  }

  @Test
  void roundingHappensOnceOverTheWholeCallNotPerPart() {
    // 0.4 + 0.4 = 0.8 -> 1 micro-dollar; rounding each part first would give 0.
    Price p = new Price(400_000, 400_000, 0);
    assertThat(p.costMicros(usage(1, 1, 0))).isEqualTo(1);
  }

  @Test
  void cachedTokensBeyondTheInputAreCappedAtTheInput() {
    assertThat(MINI.costMicros(usage(100, 0, 500))).isEqualTo(MINI.costMicros(usage(100, 0, 100)));
    assertThat(new Price(1_000_000, 0, 0).costMicros(usage(100, 0, 500))).isZero();
  }

  @Test
  void reasoningTokensArePartOfOutputNotBilledTwice() {
    Price p = new Price(0, 1_000_000, 0);
    assertThat(p.costMicros(new TokenUsage(0, 100, 0, 80, false))).isEqualTo(100);
  }

  @Test
  void freeCostsNothing() {
    assertThat(Price.FREE.costMicros(usage(1_000_000_000, 1_000_000_000, 5))).isZero();
  }

  @Test
  void overflowThrowsInsteadOfWrapping() {
    assertThatThrownBy(() -> new Price(75_000_000, 75_000_000, 0).costMicros(usage(0, Long.MAX_VALUE / 1000, 0)))
        .isInstanceOf(ArithmeticException.class);
  }

  // ---------------------------------------------------------------- table

  @Test
  void builtInListPriceOfAnExactModel() {
    PriceTable table = PriceTable.of(List.of());
    assertThat(table.price("gpt-4o-mini", "gpt-4o-mini")).isEqualTo(new Price(150_000, 600_000, 75_000));
    assertThat(table.price("gpt-4o", "gpt-4o")).isEqualTo(new Price(2_500_000, 10_000_000, 1_250_000));
  }

  @ParameterizedTest
  @CsvSource({
      "gpt-4o-mini-2024-07-18, 150000, 600000, 75000",       // not gpt-4o's price: the longest family wins
      "gpt-4o-2024-08-06, 2500000, 10000000, 1250000",
      "gpt-4.1-nano-2025-04-14, 100000, 400000, 25000",
      "o1-mini-2024-09-12, 1100000, 4400000, 550000",
      "o3-mini-2025-01-31, 1100000, 4400000, 550000",
      "gpt-3.5-turbo-0125, 500000, 1500000, 500000"})
  void datedSnapshotsCostWhatTheirFamilyCosts(String model, long in, long out, long cached) {
    assertThat(PriceTable.builtIn(model)).contains(new Price(in, out, cached));
  }

  @ParameterizedTest
  @CsvSource({"qwen2.5-7b-instruct", "gpt-4omg", "o10", "llama3", "''"})
  void unknownModelsHaveNoBuiltInPrice(String model) {
    assertThat(PriceTable.builtIn(model)).isEmpty();
    assertThat(PriceTable.of(List.of()).price(model, model)).isEqualTo(Price.FREE);
  }

  @Test
  void theUpstreamModelDecidesTheBuiltInPrice() {
    PriceTable table = PriceTable.of(List.of());
    assertThat(table.price("fast", "gpt-4o-mini-2024-07-18")).isEqualTo(MINI);
    assertThat(table.price("gpt-4o", "gpt-4o-mini")).isEqualTo(MINI);
  }

  @Test
  void theModelNameIsTheBuiltInFallbackForUnknownUpstreamModels() {
    assertThat(PriceTable.of(List.of()).price("gpt-4o-mini", "ft:my-tuned-model"))
        .isEqualTo(MINI);
  }

  @Test
  void aTableRemembersWhatEachNameCostsNotWhatAPairCost() {
    PriceTable table = PriceTable.of(List.of());
    for (int round = 0; round < 2; round++) {
      assertThat(table.price("gpt-4o-mini", "ft:my-tuned-model")).isEqualTo(MINI);
      assertThat(table.price("gpt-4o", "ft:my-tuned-model")).isEqualTo(PriceTable.builtIn("gpt-4o").orElseThrow());
      assertThat(table.price("fast", "gpt-4o-mini-2024-07-18")).isEqualTo(MINI);
      assertThat(table.price("local", "ft:my-tuned-model")).isEqualTo(Price.FREE);
    }
  }

  @Test
  void aConfiguredPriceOverridesTheBuiltInOne() {
    ModelConfig mini = new ModelConfig("gpt-4o-mini", List.of(new DeploymentConfig("openai", "gpt-4o-mini", 1)),
        DEFAULT_ROUTING, Optional.of(new PriceConfig(new BigDecimal("1"), new BigDecimal("2"), Optional.empty())));
    ModelConfig local = new ModelConfig("local", List.of(new DeploymentConfig("vllm", "qwen", 1)), DEFAULT_ROUTING,
        Optional.of(new PriceConfig(new BigDecimal("0.01"), new BigDecimal("0.02"), Optional.of(new BigDecimal("0.005")))));
    ModelConfig unpriced = new ModelConfig("gpt-4o", List.of(new DeploymentConfig("openai", "gpt-4o", 1)), DEFAULT_ROUTING,
        Optional.empty());
    PriceTable table = PriceTable.of(List.of(mini, local, unpriced));

    assertThat(table.price("gpt-4o-mini", "gpt-4o-mini")).isEqualTo(new Price(1_000_000, 2_000_000, 1_000_000));
    assertThat(table.price("gpt-4o-mini", "gpt-4o-2024-08-06")).as("the model's own price, whoever serves it")
        .isEqualTo(new Price(1_000_000, 2_000_000, 1_000_000));
    assertThat(table.price("local", "qwen")).isEqualTo(new Price(10_000, 20_000, 5_000));
    assertThat(table.price("gpt-4o", "gpt-4o")).isEqualTo(new Price(2_500_000, 10_000_000, 1_250_000));
    assertThat(table.price("other", "gpt-4o-mini")).isEqualTo(MINI);
  }

  @Test
  void aConfiguredPriceOfZeroMakesAModelFree() {
    ModelConfig mini = new ModelConfig("gpt-4o-mini", List.of(), DEFAULT_ROUTING,
        Optional.of(new PriceConfig(BigDecimal.ZERO, BigDecimal.ZERO, Optional.empty())));
    assertThat(PriceTable.of(List.of(mini)).price("gpt-4o-mini", "gpt-4o-mini")).isEqualTo(Price.FREE);
  }

  @Test
  void cacheWritesCostTheirOwnPriceAndCacheReadsTheirs() {
    Price sonnet = Price.usdPerMtok("3.00", "15.00", "0.30").withCacheWrite("3.75");
    // 1M input of which 200k read from the cache and 300k written to it, 100k output.
    TokenUsage usage = new TokenUsage(1_000_000, 100_000, 200_000, 300_000, 0, false);
    // 500k x 3.00 + 200k x 0.30 + 300k x 3.75 + 100k x 15.00 = 1.5 + 0.06 + 1.125 + 1.5 USD
    assertThat(sonnet.costMicros(usage)).isEqualTo(4_185_000);
    // Without a write rate, writes cost what input costs.
    assertThat(Price.usdPerMtok("3.00", "15.00", "0.30").costMicros(usage)).isEqualTo(3_960_000);
    // Counts that do not add up never bill more tokens than were sent.
    assertThat(sonnet.costMicros(new TokenUsage(100, 0, 80, 80, 0, false)))
        .isEqualTo(sonnet.costMicros(new TokenUsage(100, 0, 80, 20, 0, false)));
  }

  @Test
  void aPerCallFeeIsAddedOnceToTheTokens() {
    Price search = Price.usdPerMtok("1.00", "1.00", null).withRequestFee(new java.math.BigDecimal("0.005"));
    assertThat(search.costMicros(new TokenUsage(1_000, 1_000, 0, 0, false))).isEqualTo(2_000 + 5_000);
    assertThat(search.costMicros(TokenUsage.NONE)).isEqualTo(5_000);
  }

  @Test
  void claudeListPricesChargeCacheWritesAtOneAndAQuarterTimesInput() {
    Price p = PriceTable.builtIn("claude-sonnet-4-0").orElseThrow();
    assertThat(p.cacheWriteMicrosPerMtok()).isEqualTo(3_750_000);
    assertThat(PriceTable.builtIn("gpt-4o").orElseThrow().cacheWriteMicrosPerMtok()).isEqualTo(2_500_000);
  }
}
