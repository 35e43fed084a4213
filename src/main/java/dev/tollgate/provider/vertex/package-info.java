/**
 * Google Vertex AI as a provider: Gemini models ({@code publishers/google}, through the shared
 * {@link dev.tollgate.provider.gemini.GeminiCodec}) and Claude models ({@code publishers/anthropic},
 * {@link dev.tollgate.provider.vertex.VertexAnthropicCodec}), both authorized by a service
 * account's OAuth2 access token ({@link dev.tollgate.provider.vertex.VertexTokenSource}, JWT-bearer
 * grant, cached and shared by every event loop). {@link dev.tollgate.provider.vertex.VertexProviders}
 * assembles them. Only service-account keys are supported; metadata-server and workload-identity
 * credentials are not.
 */
package dev.tollgate.provider.vertex;
