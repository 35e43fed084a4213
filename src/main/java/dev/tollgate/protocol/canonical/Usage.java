package dev.tollgate.protocol.canonical;

import dev.tollgate.metering.TokenUsage;

/**
 * Token counts of one answer. {@code input} includes {@code cacheRead} and {@code cacheWrite};
 * {@code output} includes {@code reasoning} (see the package conventions).
 */
public record Usage(long input, long output, long cacheRead, long cacheWrite, long reasoning) {
  public static final Usage NONE = new Usage(0, 0, 0, 0, 0);

  /** As the metering layer records and prices it. */
  public TokenUsage toTokenUsage() {
    return new TokenUsage(input, output, cacheRead, cacheWrite, reasoning, false);
  }
}
