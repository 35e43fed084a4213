package dev.tollgate.protocol.openai;

import dev.tollgate.metering.TokenUsage;
import dev.tollgate.server.ApiError;
import java.util.Optional;

/**
 * How relaying an upstream answer ended.
 *
 * @param httpStatus the status the client got (or, when not {@code committed}, should get)
 * @param usage the upstream's own usage report, if it sent one
 * @param text answer text seen so far, for local counting when {@code usage} is empty
 * @param firstByteNanos {@code System.nanoTime()} when the first byte went to the client, or -1
 * @param error what went wrong, if anything
 * @param committed whether response headers were sent; if not, the caller still owns the response
 */
public record RelayOutcome(
    Result result,
    int httpStatus,
    Optional<TokenUsage> usage,
    String text,
    long firstByteNanos,
    Optional<ApiError> error,
    boolean committed) {

  /** The closed set of endings, as recorded in usage events. */
  public enum Result {
    OK("ok"),
    UPSTREAM_ERROR("upstream_error"),
    PARTIAL("partial"),
    TIMEOUT("timeout"),
    CLIENT_CLOSED("client_closed"),
    /** Lost a hedge race: another attempt answered the client first. */
    CANCELLED("cancelled");

    private final String label;

    Result(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
