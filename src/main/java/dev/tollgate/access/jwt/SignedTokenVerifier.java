package dev.tollgate.access.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Verifies a signed JWT for one issuer: the algorithm is on an asymmetric allow-list, a key from the
 * issuer's {@link JwksCache} verifies the signature, then {@code iss} equals the issuer, {@code aud}
 * contains the audience, {@code exp} has not passed and {@code nbf}/{@code iat} are not in the future,
 * each within {@code maxSkew} of the injected clock, and {@code sub} is present. The claims are looked at
 * only once the signature holds.
 *
 * <p>Non-blocking: completes at once when the key is cached, and never completes exceptionally (a key
 * set that cannot be fetched is {@link TokenRefusal.Reason#KEYS_UNAVAILABLE}). Thread-safe.
 */
public final class SignedTokenVerifier {
  /**
   * Public-key algorithms only: {@code none} proves nothing, and accepting HS* with an issuer's public
   * key as the HMAC secret is the classic algorithm-confusion forgery.
   */
  public static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private final JwksCache keys;
  private final Set<JWSAlgorithm> algorithms;
  private final String issuer;
  private final String audience;
  private final Duration maxSkew;
  private final Clock clock;

  public SignedTokenVerifier(JwksCache keys, Set<JWSAlgorithm> algorithms, String issuer, String audience,
      Duration maxSkew, Clock clock) {
    if (algorithms.isEmpty() || !ASYMMETRIC.containsAll(algorithms)) {
      throw new IllegalArgumentException("algorithms must be a non-empty subset of " + ASYMMETRIC + ": " + algorithms);
    }
    this.keys = keys;
    this.algorithms = Set.copyOf(algorithms);
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.maxSkew = maxSkew;
    this.clock = clock;
  }

  public CompletableFuture<TokenCheck> verify(SignedJWT jwt) {
    JWSHeader header = jwt.getHeader();
    if (!algorithms.contains(header.getAlgorithm())) {
      return CompletableFuture.completedFuture(TokenCheck.invalid(TokenRefusal.Reason.ALGORITHM_NOT_ALLOWED,
          "algorithm " + header.getAlgorithm() + " is not accepted"));
    }
    JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
    if (matcher == null) {
      return CompletableFuture.completedFuture(TokenCheck.invalid(TokenRefusal.Reason.ALGORITHM_NOT_ALLOWED,
          "algorithm " + header.getAlgorithm() + " has no key type"));
    }
    return keys.select(matcher).handle((candidates, failure) -> {
      if (failure != null) {
        return TokenCheck.invalid(TokenRefusal.Reason.KEYS_UNAVAILABLE, "cannot fetch the keys of " + issuer);
      }
      if (candidates.isEmpty()) {
        return TokenCheck.invalid(TokenRefusal.Reason.UNKNOWN_KEY,
            "no key of " + issuer + " matches key id " + header.getKeyID() + " and " + header.getAlgorithm());
      }
      if (!signedByAnyOf(jwt, candidates)) {
        return TokenCheck.invalid(TokenRefusal.Reason.BAD_SIGNATURE, "the signature does not verify");
      }
      return checkClaims(jwt);
    });
  }

  private static boolean signedByAnyOf(SignedJWT jwt, List<JWK> candidates) {
    DefaultJWSVerifierFactory factory = new DefaultJWSVerifierFactory();
    for (JWK key : candidates) {
      if (!(key instanceof AsymmetricJWK asymmetric)) {
        continue;
      }
      try {
        JWSVerifier verifier = factory.createJWSVerifier(jwt.getHeader(), asymmetric.toPublicKey());
        if (jwt.verify(verifier)) {
          return true;
        }
      } catch (JOSEException | IllegalStateException e) {
        // A key of the wrong curve or size for this algorithm: try the next candidate.
      }
    }
    return false;
  }

  private TokenCheck checkClaims(SignedJWT jwt) {
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (java.text.ParseException e) {
      return TokenCheck.invalid(TokenRefusal.Reason.MALFORMED, "claims are not a JSON object");
    }
    if (!issuer.equals(claims.getIssuer())) {
      return TokenCheck.invalid(TokenRefusal.Reason.WRONG_ISSUER,
          "issuer " + claims.getIssuer() + " is not " + issuer);
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
      return TokenCheck.invalid(TokenRefusal.Reason.WRONG_AUDIENCE,
          "audience " + claims.getAudience() + " does not include " + audience);
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return TokenCheck.invalid(TokenRefusal.Reason.EXPIRED, "the token has no expiry (exp)");
    }
    if (!now.isBefore(exp.toInstant().plus(maxSkew))) {
      return TokenCheck.invalid(TokenRefusal.Reason.EXPIRED, "expired at " + exp.toInstant());
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(maxSkew).isBefore(nbf.toInstant())) {
      return TokenCheck.invalid(TokenRefusal.Reason.NOT_YET_VALID, "not valid before " + nbf.toInstant());
    }
    Date iat = claims.getIssueTime();
    if (iat != null && now.plus(maxSkew).isBefore(iat.toInstant())) {
      return TokenCheck.invalid(TokenRefusal.Reason.NOT_YET_VALID, "issued in the future at " + iat.toInstant());
    }
    if (claims.getSubject() == null || claims.getSubject().isBlank()) {
      return TokenCheck.invalid(TokenRefusal.Reason.MISSING_CLAIM, "no subject (sub)");
    }
    return new TokenCheck.Valid(claims);
  }

  public String issuer() {
    return issuer;
  }

  public String audience() {
    return audience;
  }
}
