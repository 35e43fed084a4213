package dev.tollgate.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A model's price in micro-dollars per million tokens (so USD 0.15 / MTok is 150,000), integer so
 * that cost arithmetic is exact.
 *
 * @param cachedInputMicrosPerMtok prompt-cache reads
 * @param cacheWriteMicrosPerMtok tokens written to a prompt cache (Anthropic: 1.25 x input); the input
 *     price where a provider does not charge extra
 * @param requestMicros a fee per call on top of the tokens (search-augmented models charge one)
 */
public record Price(long inputMicrosPerMtok, long outputMicrosPerMtok, long cachedInputMicrosPerMtok,
    long cacheWriteMicrosPerMtok, long requestMicros) {
  public static final Price FREE = new Price(0, 0, 0, 0, 0);
  private static final long MTOK = 1_000_000L;

  /** A price whose cache writes cost what input costs. */
  public Price(long inputMicrosPerMtok, long outputMicrosPerMtok, long cachedInputMicrosPerMtok) {
    this(inputMicrosPerMtok, outputMicrosPerMtok, cachedInputMicrosPerMtok, inputMicrosPerMtok, 0);
  }

  /** The same price with cache writes at {@code usd} per million tokens. */
  public Price withCacheWrite(BigDecimal usd) {
    return new Price(inputMicrosPerMtok, outputMicrosPerMtok, cachedInputMicrosPerMtok, micros(usd), requestMicros);
  }

  /** The same price with a fee of {@code usd} per call. */
  public Price withRequestFee(BigDecimal usd) {
    return new Price(inputMicrosPerMtok, outputMicrosPerMtok, cachedInputMicrosPerMtok, cacheWriteMicrosPerMtok,
        micros(usd));
  }

  public Price withCacheWrite(String usd) {
    return withCacheWrite(new BigDecimal(usd));
  }

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

  /** Cost in micro-dollars: the tokens, rounded half-up once over the whole call, plus the per-call fee. */
  public long costMicros(TokenUsage usage) {
    long cached = Math.min(usage.cached(), usage.input());
    long written = Math.min(usage.cacheWrite(), usage.input() - cached);
    long uncached = usage.input() - cached - written;
    long scaled = Math.addExact(Math.addExact(Math.addExact(
        Math.multiplyExact(uncached, inputMicrosPerMtok),
        Math.multiplyExact(cached, cachedInputMicrosPerMtok)),
        Math.multiplyExact(written, cacheWriteMicrosPerMtok)),
        Math.multiplyExact(usage.output(), outputMicrosPerMtok));
    return Math.addExact((scaled + MTOK / 2) / MTOK, requestMicros);
  }
}
