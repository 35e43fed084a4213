package dev.tollgate.protocol.openai.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The OpenAI chat wire format as a provider speaks it: OpenAI, Azure OpenAI (see
 * {@link OpenAiChatRoute.Azure}) and OpenAI-compatible servers. Stateless and thread-safe.
 */
public final class OpenAiProviderCodec implements ProviderCodec {
  private final ObjectMapper json;
  private final OpenAiChatRoute route;
  private final OpenAiChatEncoder encoder;
  private final OpenAiResponseDecoder responses;
  private final OpenAiErrorDecoder errors;

  /** @param clock reads {@code Retry-After} dates; the system clock outside tests */
  public OpenAiProviderCodec(ObjectMapper json, OpenAiChatRoute route, OpenAiFlavor flavor, Clock clock) {
    this.json = json;
    this.route = route;
    this.encoder = new OpenAiChatEncoder(json, flavor);
    this.responses = new OpenAiResponseDecoder(json);
    this.errors = new OpenAiErrorDecoder(json, clock);
  }

  @Override
  public ProviderHttpRequest encode(ChatRequest request, String upstreamModel) {
    ObjectNode body = encoder.encode(request.withModel(upstreamModel));
    if (!route.modelInBody()) {
      body.remove("model");
    }
    Map<String, String> headers = Map.of(
        "Content-Type", "application/json",
        "Accept", request.stream() ? "text/event-stream" : "application/json");
    return new ProviderHttpRequest("POST", route.pathAndQuery(upstreamModel), headers,
        Buffer.buffer(Fields.text(json, body)));
  }

  @Override
  public ChatResponse decode(Buffer body) {
    return responses.decode(body);
  }

  @Override
  public StreamDecoder streamDecoder() {
    return new OpenAiStreamDecoder(json);
  }

  @Override
  public ProviderError decodeError(int status, MultiMap headers, Buffer body) {
    return errors.decode(status, headers, body);
  }
}
