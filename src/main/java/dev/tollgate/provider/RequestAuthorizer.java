package dev.tollgate.provider;

import io.vertx.core.Future;
import java.util.Map;

/**
 * Adds a provider's credentials to a request about to be sent: a static key header, an AWS SigV4
 * signature over the final bytes, or an OAuth2 access token fetched and cached. Thread-safe.
 */
public interface RequestAuthorizer {

  /**
   * Headers to add to {@code request} sent to {@code host}; completes on the caller's context.
   * Fails with {@link UpstreamException} (kind UNREACHABLE) when credentials cannot be obtained.
   */
  Future<Map<String, String>> authorize(String host, ProviderHttpRequest request);
}
