package dev.tollgate.protocol.anthropic;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.RequestAuthorizer;
import dev.tollgate.provider.UpstreamException;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;

/** Adds Anthropic's {@code x-api-key} header from a configured key. Thread-safe. */
public final class AnthropicKeyAuthorizer implements RequestAuthorizer {
  public static final String HEADER = "x-api-key";

  private final String provider;
  private final Secret apiKey;

  /** @param provider the configured provider name, for the error when the key is empty */
  public AnthropicKeyAuthorizer(String provider, Secret apiKey) {
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
    return "AnthropicKeyAuthorizer[" + provider + "]";
  }
}
