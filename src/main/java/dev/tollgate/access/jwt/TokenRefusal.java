package dev.tollgate.access.jwt;

import java.util.Objects;

/**
 * Why a signed token was refused: a reason to branch, log or audit on, and a short detail for humans.
 * The detail never holds the token or any part of a signature; it may name claims and the issuer.
 */
public record TokenRefusal(Reason reason, String detail) {
  /** Every way a token can fail verification. */
  public enum Reason {
    /** Not a compact JWS JWT, too large, or its claims are not JSON. */
    MALFORMED,
    /** {@code alg} is {@code none}, symmetric (HS*), or not on the allow-list. */
    ALGORITHM_NOT_ALLOWED,
    /** The {@code iss} claim names no trusted issuer (JWT callers only). */
    UNKNOWN_ISSUER,
    /** The issuer's key set has no key for the token's {@code kid}/algorithm, even after a refetch. */
    UNKNOWN_KEY,
    /** A key matched but the signature does not verify. */
    BAD_SIGNATURE,
    /** The issuer's key set could not be fetched and none is cached: a 503, not a 401. */
    KEYS_UNAVAILABLE,
    WRONG_ISSUER,
    WRONG_AUDIENCE,
    /** {@code exp} is missing, or passed longer ago than the allowed clock skew. */
    EXPIRED,
    /** {@code nbf} or {@code iat} lies further in the future than the allowed clock skew. */
    NOT_YET_VALID,
    /** A required claim (subject, the mapped user or team) is absent or ambiguous. */
    MISSING_CLAIM
  }

  public TokenRefusal {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  public static TokenRefusal of(Reason reason, String detail) {
    return new TokenRefusal(reason, detail);
  }
}
