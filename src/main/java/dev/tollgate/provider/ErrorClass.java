package dev.tollgate.provider;

/** What kind of failure an upstream error is, which decides retry, cooldown and fallback. */
public enum ErrorClass {
  /** 429 or the provider's equivalent: cool the deployment down, try another. Not a health failure. */
  RATE_LIMITED,
  /** 5xx, overloaded: retry, count against the deployment's breaker. */
  SERVER_ERROR,
  /** A configured timeout fired. */
  TIMEOUT,
  /** The prompt does not fit the model's context window: fall back to a larger model. */
  CONTEXT_WINDOW_EXCEEDED,
  /** The provider's safety system refused the prompt or the answer. */
  CONTENT_FILTERED,
  /** The provider rejected the gateway's credentials (a configuration problem, 401/403). */
  AUTHENTICATION,
  /** The provider does not know the model or route (404). */
  NOT_FOUND,
  /** The request itself is wrong (400/422): the caller's to fix, never retried. */
  BAD_REQUEST,
  /** Connection refused, reset, or bytes that break the protocol. */
  UNREACHABLE
}
