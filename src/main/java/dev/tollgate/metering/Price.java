package dev.tollgate.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A model's price in micro-dollars per million tokens (so USD 0.15 / MTok is 150,000), integer so
 * that cost arithmetic is exact.
 */
public record Price(long inputMicrosPerMtok, long outputMicrosPerMtok, long cachedInputMicrosPerMtok) {
  public static final Price FREE = new Price(0, 0, 0);
  private static final long MTOK = 1_000_000L;

  /** From USD per million tokens; cached input defaults to the input price. */
  public static Price usdPerMtok(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
    return new Price(micros(input), micros(output), micros(cachedInput == null ? input : cachedInput));
  }

  public static Price usdPerMtok(String input, String output, String cachedInput) {
    return usdPerMtok(new BigDecimal(input), new BigDecimal(output), cachedInput == null ? null : new BigDecimal(cachedInput));
  }

  private static long micros(BigDecimal usd) {
    return usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /** Cost in micro-dollars, rounded half-up once over the whole call. */
  public long costMicros(TokenUsage usage) {
    long cached = Math.min(usage.cached(), usage.input());
    long uncached = usage.input() - cached;
    long scaled = Math.addExact(Math.addExact(
        Math.multiplyExact(uncached, inputMicrosPerMtok),
        Math.multiplyExact(cached, cachedInputMicrosPerMtok)),
        Math.multiplyExact(usage.output(), outputMicrosPerMtok));
    return (scaled + MTOK / 2) / MTOK;
  }
}
