package dev.tollgate.metering;

/**
 * Token counts of one call, as OpenAI reports them: {@code cached} is part of {@code input} and
 * {@code reasoning} part of {@code output}.
 */
public record TokenUsage(long input, long output, long cached, long reasoning, boolean estimated) {
  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, false);
}
