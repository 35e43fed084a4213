package dev.tollgate.provider;

import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A provider's chat wire format: canonical request out, canonical answer back. Stateless and
 * thread-safe; pure functions of their arguments (no I/O), so each is tested without a network.
 * Credentials are not its business: see {@link RequestAuthorizer}.
 */
public interface ProviderCodec {

  /**
   * The HTTP request for {@code request} sent to {@code upstreamModel}; streaming when
   * {@code request.stream()}. Throws {@code TranslationException} naming the field the provider
   * cannot express.
   */
  ProviderHttpRequest encode(ChatRequest request, String upstreamModel);

  /** A whole 2xx answer; throws {@code TranslationException} when it is not the provider's format. */
  ChatResponse decode(Buffer body);

  /** A decoder for one streamed 2xx answer. */
  StreamDecoder streamDecoder();

  /** A non-2xx answer, classified. Never throws, whatever the body holds. */
  ProviderError decodeError(int status, MultiMap headers, Buffer body);

  /**
   * {@code request} carrying protocol headers from the caller's own request (such as
   * {@code anthropic-beta}): as headers, unless the provider wants them elsewhere.
   */
  default ProviderHttpRequest withCallerHeaders(ProviderHttpRequest request, java.util.Map<String, String> headers) {
    if (headers.isEmpty()) {
      return request;
    }
    java.util.Map<String, String> all = new java.util.LinkedHashMap<>(request.headers());
    all.putAll(headers);
    return new ProviderHttpRequest(request.method(), request.pathAndQuery(), all, request.body());
  }
}
