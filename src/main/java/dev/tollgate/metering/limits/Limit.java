package dev.tollgate.metering.limits;

/** The three limits a scope can carry, as a refusal names them. */
public enum Limit {
  REQUESTS_PER_MINUTE("requests per minute"),
  TOKENS_PER_MINUTE("tokens per minute"),
  CONCURRENT_REQUESTS("concurrent requests");

  private final String unit;

  Limit(String unit) {
    this.unit = unit;
  }

  /** How a number of this limit reads in a message: {@code 600 requests per minute}. */
  public String describe(long amount) {
    return amount + " " + unit;
  }
}
