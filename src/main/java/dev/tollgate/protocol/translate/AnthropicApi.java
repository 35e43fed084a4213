package dev.tollgate.protocol.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.anthropic.AnthropicRequestDecoder;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Anthropic's Messages API ({@code POST /v1/messages}) for callers. */
public final class AnthropicApi implements TranslatedApi {
  private final AnthropicRequestDecoder decoder;
  private final AnthropicClientFormat format;

  public AnthropicApi(ObjectMapper json) {
    this.decoder = new AnthropicRequestDecoder(json);
    this.format = new AnthropicClientFormat(json);
  }

  @Override
  public String label() {
    return "messages";
  }

  @Override
  public Decoded decode(ObjectNode body) {
    return new Decoded(decoder.decode(body), format);
  }

  @Override
  public String idPrefix() {
    return "msg_";
  }
}
