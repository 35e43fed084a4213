package dev.tollgate.config;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * One upstream provider account.
 *
 * @param baseUrl API root, e.g. {@code https://api.openai.com/v1}; for Azure the resource endpoint
 * @param apiKey the provider's key; empty for providers that need none (local models, mock)
 * @param apiVersion Azure's {@code api-version} query parameter
 * @param headers extra headers sent on every upstream request
 * @param maxConnections pooled connections per event loop
 * @param cloud settings of cloud providers (AWS region and credentials, Anthropic's default max_tokens)
 * @param nativeResponses the provider serves OpenAI's Responses API itself, so {@code /v1/responses}
 *     passes through to it instead of being translated to chat completions
 */
public record ProviderConfig(
    String name,
    ProviderType type,
    URI baseUrl,
    Optional<Secret> apiKey,
    String apiVersion,
    Map<String, String> headers,
    boolean allowInsecureUpstream,
    Timeouts timeouts,
    int maxConnections,
    MockSettings mock,
    CloudSettings cloud,
    boolean nativeResponses) {

  public ProviderConfig {
    headers = Map.copyOf(headers);
  }

  public ProviderConfig(String name, ProviderType type, URI baseUrl, Optional<Secret> apiKey, String apiVersion,
      Map<String, String> headers, boolean allowInsecureUpstream, Timeouts timeouts, int maxConnections,
      MockSettings mock, CloudSettings cloud) {
    this(name, type, baseUrl, apiKey, apiVersion, headers, allowInsecureUpstream, timeouts, maxConnections, mock,
        cloud, servesResponses(type, baseUrl));
  }

  public ProviderConfig(String name, ProviderType type, URI baseUrl, Optional<Secret> apiKey, String apiVersion,
      Map<String, String> headers, boolean allowInsecureUpstream, Timeouts timeouts, int maxConnections,
      MockSettings mock) {
    this(name, type, baseUrl, apiKey, apiVersion, headers, allowInsecureUpstream, timeouts, maxConnections, mock,
        CloudSettings.NONE);
  }

  /** OpenAI itself serves the Responses API; for other OpenAI-compatible servers it is opt-in. */
  public static boolean servesResponses(ProviderType type, URI baseUrl) {
    return type == ProviderType.OPENAI && baseUrl != null && "api.openai.com".equalsIgnoreCase(baseUrl.getHost());
  }
}
