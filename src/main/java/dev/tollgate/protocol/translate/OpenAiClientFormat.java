package dev.tollgate.protocol.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.openai.ErrorBodies;
import dev.tollgate.protocol.openai.translate.OpenAiResponseEncoder;
import dev.tollgate.protocol.openai.translate.OpenAiStreamEncoder;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;

/** OpenAI chat completions as the caller's format. */
public final class OpenAiClientFormat implements ClientFormat {
  private final ObjectMapper json;
  private final OpenAiResponseEncoder responses;
  private final boolean includeUsage;

  /** @param includeUsage the caller asked for {@code stream_options.include_usage} */
  public OpenAiClientFormat(ObjectMapper json, boolean includeUsage) {
    this.json = json;
    this.responses = new OpenAiResponseEncoder(json);
    this.includeUsage = includeUsage;
  }

  @Override
  public Buffer answer(ChatResponse response) {
    return Buffer.buffer(responses.encode(response).toString());
  }

  @Override
  public Buffer error(ApiError error) {
    return ErrorBodies.body(error);
  }

  @Override
  public StreamEncoder streamEncoder() {
    return new OpenAiStreamEncoder(json, includeUsage);
  }
}
