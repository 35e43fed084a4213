package dev.tollgate.metering;

/**
 * Token counts of one call, as OpenAI reports them: {@code cached} (prompt-cache reads) and
 * {@code cacheWrite} (tokens written to a prompt cache, which Anthropic bills above the input price)
 * are parts of {@code input}, and {@code reasoning} is part of {@code output}.
 */
public record TokenUsage(long input, long output, long cached, long cacheWrite, long reasoning, boolean estimated) {
  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0, false);

  /** Counts without cache writes (OpenAI-shaped usage has none). */
  public TokenUsage(long input, long output, long cached, long reasoning, boolean estimated) {
    this(input, output, cached, 0, reasoning, estimated);
  }
}
