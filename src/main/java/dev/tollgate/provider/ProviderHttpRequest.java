package dev.tollgate.provider;

import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * An HTTP request to a provider, before credentials are added.
 *
 * @param pathAndQuery appended to the provider's base URL path, e.g. {@code /v1/messages} or
 *     {@code /v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse}
 * @param headers protocol headers (content type, version headers); never credentials
 */
public record ProviderHttpRequest(String method, String pathAndQuery, Map<String, String> headers, Buffer body) {
  public ProviderHttpRequest {
    headers = Map.copyOf(headers);
  }
}
