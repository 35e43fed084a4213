package dev.tollgate.access.jwt;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;

/**
 * A compact token parsed but not yet verified. Its claims may be read only to choose how to verify it
 * (which issuer's configuration applies), never to decide anything else.
 */
public sealed interface ParsedToken {
  /** Tokens are headers' worth of claims; anything larger is refused before parsing. */
  int MAX_CHARS = 16 * 1024;

  /** A JWS-signed JWT with its unverified claims. */
  record Signed(SignedJWT jwt, JWTClaimsSet unverifiedClaims) implements ParsedToken {}

  /** Not something we can verify. */
  record Unusable(TokenRefusal refusal) implements ParsedToken {}

  static ParsedToken parse(String token) {
    if (token == null || token.isBlank()) {
      return unusable(TokenRefusal.Reason.MALFORMED, "no token");
    }
    if (token.length() > MAX_CHARS) {
      return unusable(TokenRefusal.Reason.MALFORMED, "token longer than " + MAX_CHARS + " characters");
    }
    try {
      JWT jwt = JWTParser.parse(token.strip());
      return switch (jwt) {
        case SignedJWT signed -> new Signed(signed, signed.getJWTClaimsSet());
        // An unsigned ("alg": "none") token proves nothing about who made it.
        case PlainJWT plain -> unusable(TokenRefusal.Reason.ALGORITHM_NOT_ALLOWED,
            "unsigned token (alg none)");
        default -> unusable(TokenRefusal.Reason.MALFORMED, "encrypted tokens are not accepted");
      };
    } catch (ParseException e) {
      return unusable(TokenRefusal.Reason.MALFORMED, "not a JWT: " + e.getMessage());
    }
  }

  private static ParsedToken unusable(TokenRefusal.Reason reason, String detail) {
    return new Unusable(TokenRefusal.of(reason, detail));
  }
}
