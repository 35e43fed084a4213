package dev.tollgate.access.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tollgate.access.jwt.ClaimMapper;
import dev.tollgate.access.jwt.JwksCache;
import dev.tollgate.access.jwt.ParsedToken;
import dev.tollgate.access.jwt.SignedTokenVerifier;
import dev.tollgate.access.jwt.TokenCheck;
import dev.tollgate.access.jwt.TokenRefusal;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * OpenID Connect sign-in with the authorization code flow (OpenID Connect Core 1.0 section 3.1), PKCE
 * S256 (RFC 7636), state and nonce, against any provider that publishes a discovery document.
 *
 * <p>{@link #begin} stores a pending login (state and nonce as digests, the PKCE verifier, where to go
 * afterwards) and returns the provider's authorization URL; {@link #complete} takes that pending login
 * back atomically (so a state works once, on any node), exchanges the code, verifies the ID token
 * (signature with the provider's cached keys, issuer, audience = client id, {@code azp}, expiry within
 * the clock skew, nonce), checks {@code email_verified} and the allowed domains, and maps the groups
 * claim to roles and teams. Every refusal is a {@link SignInFailure}; nothing here throws for a bad
 * sign-in.
 *
 * <p>Blocking (database, provider over HTTP): call from a virtual thread. Thread-safe.
 */
public final class OidcSignIn {
  private static final Duration JWKS_TTL = Duration.ofHours(1);
  private static final Duration JWKS_MIN_REFETCH = Duration.ofSeconds(30);
  private static final int RANDOM_BYTES = 32;

  private final OidcSettings settings;
  private final PendingLoginStore pending;
  private final OidcDiscovery discovery;
  private final Executor fetchExecutor;
  private final Clock clock;
  private final SecureRandom random;
  private final ClaimMapper mapper;
  private final ClientID clientId;
  private final AtomicReference<IdTokenVerifier> verifier = new AtomicReference<>();

  /** The verifier for the key set the discovery document currently names. */
  private record IdTokenVerifier(URI jwksUri, SignedTokenVerifier verifier) {}

  public OidcSignIn(OidcSettings settings, PendingLoginStore pending, Executor fetchExecutor, Clock clock,
      SecureRandom random) {
    this.settings = settings;
    this.pending = pending;
    this.discovery = new OidcDiscovery(settings.issuer(), settings.httpTimeout(), settings.discoveryTtl(), clock);
    this.fetchExecutor = fetchExecutor;
    this.clock = clock;
    this.random = random;
    this.mapper = settings.mapper();
    this.clientId = new ClientID(settings.clientId());
  }

  /**
   * Starts a sign-in that will land on {@code returnTo} (a relative path; null means {@code /}).
   * Also purges expired pending logins, so the table stays as small as the sign-ins in progress.
   */
  public SignInStart begin(String returnTo) {
    Optional<String> path = ReturnPath.check(returnTo);
    if (path.isEmpty()) {
      return new SignInStart.Refused(SignInFailure.of(SignInFailure.Reason.INVALID_RETURN_TO,
          "return path is not a relative path on this site"));
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = discovery.metadata();
    } catch (IOException e) {
      return new SignInStart.Refused(SignInFailure.of(SignInFailure.Reason.PROVIDER_UNAVAILABLE, e.getMessage()));
    }
    Instant now = clock.instant();
    pending.purgeExpired(now);
    String state = randomToken();
    String nonce = randomToken();
    CodeVerifier codeVerifier = new CodeVerifier(randomToken());
    pending.insert(new PendingLogin(Digests.sha256(state), Digests.sha256(nonce), codeVerifier.getValue(),
        path.get(), now, now.plus(settings.pendingTtl())));
    URI url = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope(settings.scopes().toArray(String[]::new)),
        clientId, settings.redirectUri())
        .endpointURI(metadata.getAuthorizationEndpointURI())
        .state(new State(state))
        .nonce(new Nonce(nonce))
        .codeChallenge(codeVerifier, CodeChallengeMethod.S256)
        .build()
        .toURI();
    return new SignInStart.Redirect(url);
  }

  /** Finishes the sign-in the provider redirected back with ({@code code} and {@code state} query parameters). */
  public SignInOutcome complete(String code, String state) {
    Optional<PendingLogin> found = takePending(state);
    if (found.isEmpty()) {
      return refused(SignInFailure.Reason.UNKNOWN_STATE, "unknown or already used state");
    }
    PendingLogin login = found.get();
    if (login.expiredAt(clock.instant())) {
      return refused(SignInFailure.Reason.EXPIRED_STATE, "the sign-in was started more than "
          + settings.pendingTtl() + " ago");
    }
    if (code == null || code.isBlank()) {
      return refused(SignInFailure.Reason.PROVIDER_ERROR, "the provider sent no authorization code");
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = discovery.metadata();
    } catch (IOException e) {
      return refused(SignInFailure.Reason.PROVIDER_UNAVAILABLE, e.getMessage());
    }
    return exchange(metadata, code, login);
  }

  /**
   * The provider redirected back with an error ({@code error} parameter, e.g. the user declined): the
   * pending login is consumed so its state cannot be used again.
   */
  public SignInOutcome fail(String state, String error) {
    takePending(state);
    return refused(SignInFailure.Reason.PROVIDER_ERROR, "the provider answered " + printable(error));
  }

  private Optional<PendingLogin> takePending(String state) {
    if (state == null || state.isBlank() || state.length() > 512) {
      return Optional.empty();
    }
    return pending.take(Digests.sha256(state));
  }

  private SignInOutcome exchange(OIDCProviderMetadata metadata, String code, PendingLogin login) {
    Secret secret = new Secret(settings.clientSecret().value());
    ClientAuthentication auth = switch (settings.clientAuth()) {
      case CLIENT_SECRET_BASIC -> new ClientSecretBasic(clientId, secret);
      case CLIENT_SECRET_POST -> new ClientSecretPost(clientId, secret);
    };
    TokenRequest request = new TokenRequest(metadata.getTokenEndpointURI(), auth,
        new AuthorizationCodeGrant(new AuthorizationCode(code), settings.redirectUri(),
            new CodeVerifier(login.codeVerifier())));
    HTTPRequest http = request.toHTTPRequest();
    int millis = Math.toIntExact(settings.httpTimeout().toMillis());
    http.setConnectTimeout(millis);
    http.setReadTimeout(millis);
    TokenResponse response;
    try {
      HTTPResponse answer = http.send();
      response = OIDCTokenResponseParser.parse(answer);
    } catch (IOException e) {
      return refused(SignInFailure.Reason.PROVIDER_UNAVAILABLE, "token endpoint unreachable: "
          + e.getClass().getSimpleName());
    } catch (ParseException e) {
      return refused(SignInFailure.Reason.TOKEN_EXCHANGE_FAILED, "unreadable token response");
    }
    if (!response.indicatesSuccess()) {
      ErrorObject error = response.toErrorResponse().getErrorObject();
      return refused(SignInFailure.Reason.TOKEN_EXCHANGE_FAILED, "token endpoint answered "
          + error.getHTTPStatusCode() + " " + printable(error.getCode()));
    }
    String idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDTokenString();
    if (idToken == null) {
      return refused(SignInFailure.Reason.NO_ID_TOKEN, "the token response has no id_token");
    }
    return verify(metadata, idToken, login);
  }

  private SignInOutcome verify(OIDCProviderMetadata metadata, String idToken, PendingLogin login) {
    SignedTokenVerifier tokens = verifierFor(metadata.getJWKSetURI());
    TokenCheck check = switch (ParsedToken.parse(idToken)) {
      case ParsedToken.Unusable(TokenRefusal refusal) -> new TokenCheck.Invalid(refusal);
      case ParsedToken.Signed signed -> tokens.verify(signed.jwt()).join();
    };
    return switch (check) {
      case TokenCheck.Invalid(TokenRefusal refusal) when refusal.reason() == TokenRefusal.Reason.KEYS_UNAVAILABLE ->
          refused(SignInFailure.Reason.PROVIDER_UNAVAILABLE, refusal.detail());
      case TokenCheck.Invalid(TokenRefusal refusal) -> new SignInOutcome.Refused(SignInFailure.idToken(refusal));
      case TokenCheck.Valid(JWTClaimsSet claims) -> identify(claims, login);
    };
  }

  private SignInOutcome identify(JWTClaimsSet claims, PendingLogin login) {
    List<String> audience = claims.getAudience();
    Object azp = claims.getClaim("azp");
    // OIDC Core 3.1.3.7: with several audiences azp must be present, and when present it must be us.
    if ((audience.size() > 1 && azp == null) || (azp != null && !settings.clientId().equals(azp))) {
      return new SignInOutcome.Refused(SignInFailure.idToken(TokenRefusal.of(TokenRefusal.Reason.WRONG_AUDIENCE,
          "authorized party (azp) " + azp + " is not " + settings.clientId())));
    }
    Object nonce = claims.getClaim("nonce");
    if (!(nonce instanceof String n) || !Digests.matches(n, login.nonceHash())) {
      return refused(SignInFailure.Reason.NONCE_MISMATCH, "the ID token's nonce is not this sign-in's");
    }
    Map<String, Object> all = claims.getClaims();
    Optional<String> email = settings.emailClaim().first(all);
    Object verified = claims.getClaim("email_verified");
    if (email.isPresent() && (Boolean.FALSE.equals(verified) || "false".equals(verified))) {
      return refused(SignInFailure.Reason.EMAIL_NOT_VERIFIED, "the provider has not verified " + email.get());
    }
    if (!settings.allowedDomains().isEmpty()) {
      if (email.isEmpty()) {
        return refused(SignInFailure.Reason.MISSING_EMAIL, "no email in claim " + settings.emailClaim());
      }
      String domain = email.get().substring(email.get().lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
      if (!settings.allowedDomains().contains(domain)) {
        return refused(SignInFailure.Reason.DOMAIN_NOT_ALLOWED, "domain " + domain + " may not sign in");
      }
    }
    ClaimMapper.Mapping mapping = mapper.map(all);
    VerifiedIdentity identity = new VerifiedIdentity(claims.getIssuer(), claims.getSubject(), email,
        settings.nameClaim().first(all), mapping.groups(), mapping.roles(), mapping.teams());
    return new SignInOutcome.SignedIn(identity, login.returnTo());
  }

  private SignedTokenVerifier verifierFor(URI jwksUri) {
    IdTokenVerifier current = verifier.get();
    if (current != null && current.jwksUri().equals(jwksUri)) {
      return current.verifier();
    }
    JwksCache keys = new JwksCache(jwksUri, fetchExecutor, clock, JWKS_TTL, JWKS_MIN_REFETCH, settings.httpTimeout());
    IdTokenVerifier fresh = new IdTokenVerifier(jwksUri, new SignedTokenVerifier(keys, SignedTokenVerifier.ASYMMETRIC,
        settings.issuer(), settings.clientId(), settings.clockSkew(), clock));
    // Two sign-ins racing here may each build one; the loser's cache is dropped, costing one extra fetch.
    return verifier.compareAndSet(current, fresh) ? fresh.verifier() : verifier.get().verifier();
  }

  private String randomToken() {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static SignInOutcome refused(SignInFailure.Reason reason, String detail) {
    return new SignInOutcome.Refused(SignInFailure.of(reason, detail));
  }

  /** Provider-supplied error codes go into logs; keep them short and plain. */
  private static String printable(String value) {
    if (value == null) {
      return "(nothing)";
    }
    String plain = value.replaceAll("[^A-Za-z0-9_.\\-]", "?");
    return plain.length() > 64 ? plain.substring(0, 64) + "..." : plain;
  }
}
