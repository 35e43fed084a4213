package dev.tollgate.access.oidc;

import dev.tollgate.access.jwt.TokenRefusal;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a sign-in was refused, to log and audit. The detail never contains a code, token, state, nonce,
 * verifier or secret.
 *
 * @param token why the ID token was refused, when {@code reason} is {@link Reason#ID_TOKEN_REJECTED}
 */
public record SignInFailure(Reason reason, Optional<TokenRefusal.Reason> token, String detail) {
  /** Every way a sign-in can be refused. */
  public enum Reason {
    /** {@code returnTo} is not a relative path on this site (an open redirect). */
    INVALID_RETURN_TO,
    /** Discovery, the token endpoint or the key set could not be reached. */
    PROVIDER_UNAVAILABLE,
    /** The state is unknown: forged, from another node's database, or already used (a replay). */
    UNKNOWN_STATE,
    /** The sign-in took longer than {@code pending_ttl}. */
    EXPIRED_STATE,
    /** The provider sent back an error (e.g. {@code access_denied}) or no code. */
    PROVIDER_ERROR,
    /** The token endpoint refused the code (e.g. {@code invalid_grant}). */
    TOKEN_EXCHANGE_FAILED,
    /** The token response held no ID token. */
    NO_ID_TOKEN,
    /** The ID token failed verification; see {@link SignInFailure#token()}. */
    ID_TOKEN_REJECTED,
    /** The ID token's nonce is not the one this sign-in sent (a replayed or injected token). */
    NONCE_MISMATCH,
    /** The provider says the email is not verified. */
    EMAIL_NOT_VERIFIED,
    /** Allowed domains are configured but the token carries no email. */
    MISSING_EMAIL,
    /** The email's domain is not among the allowed domains. */
    DOMAIN_NOT_ALLOWED
  }

  public SignInFailure {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(detail, "detail");
  }

  public static SignInFailure of(Reason reason, String detail) {
    return new SignInFailure(reason, Optional.empty(), detail);
  }

  public static SignInFailure idToken(TokenRefusal refusal) {
    return new SignInFailure(Reason.ID_TOKEN_REJECTED, Optional.of(refusal.reason()), refusal.detail());
  }
}
