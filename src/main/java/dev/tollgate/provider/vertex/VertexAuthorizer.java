package dev.tollgate.provider.vertex;

import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.RequestAuthorizer;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;

/**
 * Authorizes Vertex AI calls with {@code Authorization: Bearer <token>}, the service account's
 * OAuth2 access token from a {@link VertexTokenSource} (cached there, shared by every event loop).
 * Thread-safe: immutable.
 */
public final class VertexAuthorizer implements RequestAuthorizer {
  private final VertexTokenSource tokens;

  public VertexAuthorizer(VertexTokenSource tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  @Override
  public Future<Map<String, String>> authorize(String host, ProviderHttpRequest request) {
    return tokens.token().map(token -> Map.of("Authorization", "Bearer " + token.value()));
  }

  @Override
  public String toString() {
    return "VertexAuthorizer[" + tokens + "]";
  }
}
