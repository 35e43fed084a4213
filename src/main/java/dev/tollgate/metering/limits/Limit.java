package dev.tollgate.metering.limits;

/** The three limits a scope can carry, as a refusal names them. */
public enum Limit {
  REQUESTS_PER_MINUTE("requests per minute", "requests"),
  TOKENS_PER_MINUTE("tokens per minute", "tokens"),
  CONCURRENT_REQUESTS("concurrent requests", "concurrency");

  private final String unit;
  private final String errorType;

  Limit(String unit, String errorType) {
    this.unit = unit;
    this.errorType = errorType;
  }

  /** The error {@code type} of a refusal, as OpenAI names its own: {@code requests} or {@code tokens} (and {@code concurrency}). */
  public String errorType() {
    return errorType;
  }

  /** How a number of this limit reads in a message: {@code 600 requests per minute}. */
  public String describe(long amount) {
    return amount + " " + unit;
  }
}
