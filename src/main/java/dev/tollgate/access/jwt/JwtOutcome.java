package dev.tollgate.access.jwt;

/** What {@link JwtCallerVerifier} decided about a bearer token. */
public sealed interface JwtOutcome {
  /** The token is valid and maps to this caller. */
  record Accepted(JwtCaller caller) implements JwtOutcome {}

  /**
   * The token is refused: answer 401, except {@link TokenRefusal.Reason#KEYS_UNAVAILABLE} which is a
   * 503 (we could not check it, the caller did nothing wrong).
   */
  record Refused(TokenRefusal refusal) implements JwtOutcome {}
}
