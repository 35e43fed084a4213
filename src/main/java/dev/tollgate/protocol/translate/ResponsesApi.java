package dev.tollgate.protocol.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.openai.responses.ResponsesClientFormat;
import dev.tollgate.protocol.openai.responses.ResponsesRequest;
import dev.tollgate.protocol.openai.responses.ResponsesRequestDecoder;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OpenAI's Responses API ({@code POST /v1/responses}) for callers, stateless: served from any provider
 * through the canonical model (chat completions for OpenAI-compatible ones).
 */
public final class ResponsesApi implements TranslatedApi {
  private final ObjectMapper json;
  private final ResponsesRequestDecoder decoder;

  public ResponsesApi(ObjectMapper json) {
    this.json = json;
    this.decoder = new ResponsesRequestDecoder(json);
  }

  @Override
  public String label() {
    return "responses";
  }

  @Override
  public Decoded decode(ObjectNode body) {
    ResponsesRequest request = decoder.decode(body);
    return new Decoded(request.chat(), new ResponsesClientFormat(json, request));
  }

  @Override
  public String idPrefix() {
    return "resp_";
  }
}
