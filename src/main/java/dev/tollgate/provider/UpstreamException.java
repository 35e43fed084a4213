package dev.tollgate.provider;

/** An upstream call failed without a usable HTTP answer; {@link Kind} decides the caller's status. */
public final class UpstreamException extends RuntimeException {

  /** Why the call failed. */
  public enum Kind {
    /** No connection could be made (refused, DNS, TLS). */
    UNREACHABLE,
    /** The connection broke or the provider spoke something that is not its protocol. */
    PROTOCOL,
    /** A configured timeout fired. */
    TIMEOUT,
    /** The gateway cancelled the call (client went away, shutdown). */
    CANCELLED
  }

  private final Kind kind;
  private final String provider;

  public UpstreamException(Kind kind, String provider, String detail, Throwable cause) {
    super(detail, cause, false, false);
    this.kind = kind;
    this.provider = provider;
  }

  public Kind kind() {
    return kind;
  }

  public String provider() {
    return provider;
  }
}
