package dev.tollgate.config;

import java.time.Duration;

/**
 * Behaviour of the built-in {@code mock} provider.
 *
 * @param chunkTokens tokens per streamed chunk
 * @param firstTokenLatency delay before the first chunk (or the whole non-streamed answer)
 * @param chunkLatency delay between streamed chunks
 */
public record MockSettings(int chunkTokens, Duration firstTokenLatency, Duration chunkLatency) {

  public static final MockSettings DEFAULTS = new MockSettings(4, Duration.ZERO, Duration.ofMillis(20));
}
