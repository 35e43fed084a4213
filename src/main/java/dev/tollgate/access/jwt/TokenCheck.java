package dev.tollgate.access.jwt;

import com.nimbusds.jwt.JWTClaimsSet;

/** The outcome of checking a signed token: its verified claims, or why it was refused. */
public sealed interface TokenCheck {
  /** Signature, issuer, audience and times all hold. */
  record Valid(JWTClaimsSet claims) implements TokenCheck {}

  /** Refused; see {@link TokenRefusal.Reason}. */
  record Invalid(TokenRefusal refusal) implements TokenCheck {}

  static TokenCheck invalid(TokenRefusal.Reason reason, String detail) {
    return new Invalid(TokenRefusal.of(reason, detail));
  }
}
