package dev.tollgate.provider.bedrock;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.provider.ProviderCodec;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Amazon Bedrock's Converse API ({@code POST /model/{modelId}/converse}) and ConverseStream
 * ({@code /converse-stream}, answered in AWS event-stream framing). Requests are signed separately by
 * {@link SigV4Authorizer}. Stateless and thread-safe.
 */
public final class BedrockConverseCodec implements ProviderCodec {
  private final ObjectMapper json;
  private final ConverseRequestEncoder encoder;
  private final ConverseResponseDecoder decoder;
  private final BedrockErrors errors;

  public BedrockConverseCodec(ObjectMapper json) {
    this.json = json;
    this.encoder = new ConverseRequestEncoder(json);
    this.decoder = new ConverseResponseDecoder(json);
    this.errors = new BedrockErrors(json);
  }

  @Override
  public ProviderHttpRequest encode(ChatRequest request, String upstreamModel) {
    return encoder.encode(request, upstreamModel);
  }

  @Override
  public ChatResponse decode(Buffer body) {
    return decoder.decode(body);
  }

  @Override
  public StreamDecoder streamDecoder() {
    return new ConverseStreamDecoder(json);
  }

  @Override
  public ProviderError decodeError(int status, MultiMap headers, Buffer body) {
    return errors.decode(status, headers, body);
  }
}
