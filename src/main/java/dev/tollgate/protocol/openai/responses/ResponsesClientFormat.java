package dev.tollgate.protocol.openai.responses;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.openai.ErrorBodies;
import dev.tollgate.protocol.translate.ClientFormat;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;

/**
 * OpenAI's Responses API as the caller's format, for one request: its answers repeat that request's
 * settings, so one is made per decoded request. Errors before the stream starts have the same shape
 * as chat completions' ({@code {"error": {...}}}).
 */
public final class ResponsesClientFormat implements ClientFormat {
  private final ObjectMapper json;
  private final ResponsesRequest request;
  private final ResponsesResponseEncoder responses;

  public ResponsesClientFormat(ObjectMapper json, ResponsesRequest request) {
    this.json = json;
    this.request = request;
    this.responses = new ResponsesResponseEncoder(json);
  }

  @Override
  public Buffer answer(ChatResponse response) {
    return responses.encodeBuffer(response, request);
  }

  @Override
  public Buffer error(ApiError error) {
    return ErrorBodies.body(error);
  }

  @Override
  public StreamEncoder streamEncoder() {
    return new ResponsesStreamEncoder(json, request);
  }
}
