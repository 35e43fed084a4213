package dev.tollgate.protocol.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.anthropic.AnthropicErrors;
import dev.tollgate.protocol.anthropic.AnthropicResponseEncoder;
import dev.tollgate.protocol.anthropic.AnthropicStreamEncoder;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;

/** Anthropic's Messages API as the caller's format. */
public final class AnthropicClientFormat implements ClientFormat {
  private final ObjectMapper json;
  private final AnthropicResponseEncoder responses;
  private final AnthropicErrors errors;

  public AnthropicClientFormat(ObjectMapper json) {
    this.json = json;
    this.responses = new AnthropicResponseEncoder(json);
    this.errors = new AnthropicErrors(json);
  }

  @Override
  public Buffer answer(ChatResponse response) {
    return responses.encode(response);
  }

  @Override
  public Buffer error(ApiError error) {
    return errors.body(error.status(), message(error), null);
  }

  /** Anthropic's errors have no {@code param}: the field goes in front of the message, as Anthropic's own do. */
  public static String message(ApiError error) {
    String param = error.param();
    return param == null || param.isEmpty() || error.message().startsWith(param) ? error.message()
        : param + ": " + error.message();
  }

  @Override
  public StreamEncoder streamEncoder() {
    return new AnthropicStreamEncoder(json);
  }
}
