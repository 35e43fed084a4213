package dev.tollgate.access.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Authenticates API callers that present a JWT from a trusted issuer instead of a virtual key.
 *
 * <p>The token's unverified {@code iss} only selects which issuer's configuration to verify it with; an
 * issuer that is not configured is refused outright, and everything else is decided by
 * {@link SignedTokenVerifier} with that issuer's keys, audience and algorithms. Claims are mapped to the
 * caller after verification.
 *
 * <p>Safe on an event loop: {@link #verify} returns a future that is already complete whenever the
 * issuer's keys are cached (the common case); fetching keys runs on {@code fetchExecutor} (virtual
 * threads). The future never completes exceptionally. Thread-safe.
 */
public final class JwtCallerVerifier {
  private final Map<String, Issuer> issuers;

  private record Issuer(JwtIssuer settings, JwksCache keys, SignedTokenVerifier verifier) {}

  public JwtCallerVerifier(JwtSettings settings, Executor fetchExecutor, Clock clock) {
    this.issuers = settings.issuers().stream().collect(Collectors.toUnmodifiableMap(JwtIssuer::issuer, s -> {
      JwksCache keys = new JwksCache(s.jwksUrl(), fetchExecutor, clock, settings.jwksTtl(), settings.jwksMinRefetch(),
          settings.fetchTimeout());
      return new Issuer(s, keys, new SignedTokenVerifier(keys, s.algorithms(), s.issuer(), s.audience(),
          settings.clockSkew(), clock));
    }, (a, b) -> a));
  }

  /**
   * True when a presented credential has the shape of a compact JWS (three base64url parts, a JSON
   * header), so the data plane can route it here rather than to the virtual-key lookup.
   */
  public static boolean looksLikeJwt(String presented) {
    return presented != null && presented.startsWith("eyJ") && presented.chars().filter(c -> c == '.').count() == 2;
  }

  public boolean hasIssuers() {
    return !issuers.isEmpty();
  }

  public CompletableFuture<JwtOutcome> verify(String token) {
    return switch (ParsedToken.parse(token)) {
      case ParsedToken.Unusable(TokenRefusal refusal) -> refused(refusal);
      case ParsedToken.Signed(var jwt, var unverified) -> {
        Issuer issuer = unverified.getIssuer() == null ? null : issuers.get(unverified.getIssuer());
        if (issuer == null) {
          yield refused(TokenRefusal.of(TokenRefusal.Reason.UNKNOWN_ISSUER,
              "issuer " + unverified.getIssuer() + " is not trusted"));
        }
        yield issuer.verifier().verify(jwt).thenApply(check -> switch (check) {
          case TokenCheck.Invalid(TokenRefusal refusal) -> new JwtOutcome.Refused(refusal);
          case TokenCheck.Valid(JWTClaimsSet claims) -> toCaller(issuer.settings(), claims);
        });
      }
    };
  }

  /** The key-set cache of a configured issuer, for metrics and health. */
  public Optional<JwksCache> keys(String issuer) {
    return Optional.ofNullable(issuers.get(issuer)).map(Issuer::keys);
  }

  private static JwtOutcome toCaller(JwtIssuer issuer, JWTClaimsSet verified) {
    Map<String, Object> claims = verified.getClaims();
    List<String> users = issuer.user().values(claims);
    if (users.size() != 1) {
      return missing("user claim " + issuer.user() + (users.isEmpty() ? " is absent" : " has several values"));
    }
    Optional<String> team = Optional.empty();
    if (issuer.team().isPresent()) {
      List<String> teams = issuer.team().get().values(claims);
      if (teams.size() > 1) {
        // Budgets are charged to one team; guessing which would be charging the wrong one.
        return missing("team claim " + issuer.team().get() + " has several values");
      }
      team = teams.stream().findFirst();
    }
    LinkedHashSet<String> models = issuer.models().map(path -> path.values(claims)).stream()
        .flatMap(List::stream).collect(Collectors.toCollection(LinkedHashSet::new));
    return new JwtOutcome.Accepted(new JwtCaller(issuer.issuer(), verified.getSubject(), users.getFirst(), team,
        issuer.email().first(claims), models));
  }

  private static JwtOutcome missing(String detail) {
    return new JwtOutcome.Refused(TokenRefusal.of(TokenRefusal.Reason.MISSING_CLAIM, detail));
  }

  private static CompletableFuture<JwtOutcome> refused(TokenRefusal refusal) {
    return CompletableFuture.completedFuture(new JwtOutcome.Refused(refusal));
  }
}
