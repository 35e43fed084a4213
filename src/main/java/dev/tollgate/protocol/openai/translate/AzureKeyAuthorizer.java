package dev.tollgate.protocol.openai.translate;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.RequestAuthorizer;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;

/** Sends an Azure OpenAI resource key as the {@code api-key} header. */
public final class AzureKeyAuthorizer implements RequestAuthorizer {
  private final Map<String, String> headers;

  public AzureKeyAuthorizer(Secret key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("an Azure api-key must not be empty");
    }
    this.headers = Map.of("api-key", key.value());
  }

  @Override
  public Future<Map<String, String>> authorize(String host, ProviderHttpRequest request) {
    return Future.succeededFuture(headers);
  }

  @Override
  public String toString() {
    return "AzureKeyAuthorizer[****]";
  }
}
