package dev.tollgate.protocol.openai.translate;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.RequestAuthorizer;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;

/** Sends a static provider key as {@code Authorization: Bearer <key>} (OpenAI and compatible servers). */
public final class BearerKeyAuthorizer implements RequestAuthorizer {
  private final Map<String, String> headers;

  public BearerKeyAuthorizer(Secret key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("a bearer key must not be empty");
    }
    this.headers = Map.of("Authorization", "Bearer " + key.value());
  }

  @Override
  public Future<Map<String, String>> authorize(String host, ProviderHttpRequest request) {
    return Future.succeededFuture(headers);
  }

  @Override
  public String toString() {
    return "BearerKeyAuthorizer[****]";
  }
}
