package dev.tollgate.provider.gemini;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.RequestAuthorizer;
import dev.tollgate.provider.UpstreamException;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;

/**
 * Authorizes Google AI (Gemini API) calls with an API key in the {@code x-goog-api-key} header, the
 * form Google documents; the key stays out of the URL (a {@code ?key=} query would end up in access
 * logs). Thread-safe: immutable.
 */
public final class GeminiKeyAuthorizer implements RequestAuthorizer {
  static final String HEADER = "x-goog-api-key";

  private final String provider;
  private final Secret apiKey;

  /** @param provider the configured provider name, reported when no key is configured */
  public GeminiKeyAuthorizer(String provider, Secret apiKey) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
  }

  @Override
  public Future<Map<String, String>> authorize(String host, ProviderHttpRequest request) {
    if (apiKey.isEmpty()) {
      return Future.failedFuture(new UpstreamException(UpstreamException.Kind.UNREACHABLE, provider,
          "no API key is configured for provider '" + provider + "'", null));
    }
    return Future.succeededFuture(Map.of(HEADER, apiKey.value()));
  }

  @Override
  public String toString() {
    return "GeminiKeyAuthorizer[" + provider + "]";
  }
}
