package dev.tollgate.access.oidc;

import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tollgate.access.jwt.Urls;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The provider's discovery document (OpenID Connect Discovery 1.0), fetched on first use and again once
 * older than {@code ttl}; a failed refetch keeps the previous document. Nimbus checks that the document
 * names the configured issuer exactly. Blocking; call from a virtual thread. Thread-safe: one fetch at a
 * time, under this object's lock.
 */
public final class OidcDiscovery {
  private final Issuer issuer;
  private final Duration timeout;
  private final Duration ttl;
  private final Clock clock;

  // @GuardedBy("this")
  private OIDCProviderMetadata cached;
  // @GuardedBy("this")
  private Instant fetchedAt = Instant.MIN;

  public OidcDiscovery(String issuer, Duration timeout, Duration ttl, Clock clock) {
    this.issuer = new Issuer(issuer);
    this.timeout = timeout;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** The provider's metadata; throws when it was never fetched and cannot be now. */
  public synchronized OIDCProviderMetadata metadata() throws IOException {
    Instant now = clock.instant();
    if (cached != null && now.isBefore(fetchedAt.plus(ttl))) {
      return cached;
    }
    try {
      int millis = Math.toIntExact(timeout.toMillis());
      OIDCProviderMetadata fetched = OIDCProviderMetadata.resolve(issuer, millis, millis);
      checkEndpoints(fetched);
      cached = fetched;
      fetchedAt = now;
      return fetched;
    } catch (GeneralException | IOException e) {
      if (cached != null) {
        return cached;
      }
      throw new IOException("discovery for " + issuer + " failed: " + e.getMessage(), e);
    }
  }

  private static void checkEndpoints(OIDCProviderMetadata metadata) throws GeneralException {
    check("authorization_endpoint", metadata.getAuthorizationEndpointURI());
    check("token_endpoint", metadata.getTokenEndpointURI());
    check("jwks_uri", metadata.getJWKSetURI());
  }

  private static void check(String name, URI uri) throws GeneralException {
    // A query is legitimate on these endpoints (some providers pin a tenant or policy with one).
    String problem = uri == null ? "is missing"
        : Urls.problem(uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath()));
    if (problem != null) {
      throw new GeneralException("the discovery document's " + name + " " + problem);
    }
  }
}
