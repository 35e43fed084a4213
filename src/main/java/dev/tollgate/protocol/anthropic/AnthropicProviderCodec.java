package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.provider.ProviderCodec;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.Map;

/**
 * Anthropic's Messages API as a provider: {@code POST /v1/messages} with
 * {@code anthropic-version: 2023-06-01}. The API key is added by {@link AnthropicKeyAuthorizer}.
 * Stateless and thread-safe.
 */
public final class AnthropicProviderCodec implements ProviderCodec {
  public static final String PATH = "/v1/messages";
  public static final String VERSION = "2023-06-01";
  /** A streamed event larger than this breaks the protocol (the largest are tool-input fragments). */
  private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

  private final ObjectMapper json;
  private final Clock clock;
  private final MessagesRequestEncoder requests;
  private final MessageDecoder answers;
  private final ErrorDecoder errors;

  /**
   * @param defaultMaxTokens sent as {@code max_tokens} when the request has none (Anthropic requires it)
   * @param clock stamps {@code created} on answers (Anthropic's carry no time) and reads HTTP-date Retry-After
   */
  public AnthropicProviderCodec(ObjectMapper json, int defaultMaxTokens, Clock clock) {
    this.json = json;
    this.clock = clock;
    this.requests = new MessagesRequestEncoder(json, defaultMaxTokens);
    this.answers = new MessageDecoder(json);
    this.errors = new ErrorDecoder(json, clock);
  }

  @Override
  public ProviderHttpRequest encode(ChatRequest request, String upstreamModel) {
    Buffer body = Buffer.buffer(requests.encode(request, upstreamModel).toString());
    return new ProviderHttpRequest("POST", PATH,
        Map.of("anthropic-version", VERSION, "content-type", "application/json"), body);
  }

  @Override
  public ChatResponse decode(Buffer body) {
    return answers.decode(body.getBytes(), clock.instant().getEpochSecond());
  }

  @Override
  public StreamDecoder streamDecoder() {
    return new AnthropicStreamDecoder(json, MAX_EVENT_BYTES, clock.instant().getEpochSecond());
  }

  @Override
  public ProviderError decodeError(int status, MultiMap headers, Buffer body) {
    return errors.decode(status, headers, body);
  }
}
