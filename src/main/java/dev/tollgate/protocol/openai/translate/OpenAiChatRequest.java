package dev.tollgate.protocol.openai.translate;

import dev.tollgate.protocol.canonical.ChatRequest;
import java.util.Objects;

/**
 * A decoded OpenAI chat request: the canonical request, plus what only the caller's side of the
 * exchange needs.
 *
 * @param includeUsage the caller asked for {@code stream_options.include_usage}: its stream must end
 *     with a usage-only chunk (see {@link OpenAiStreamEncoder})
 */
public record OpenAiChatRequest(ChatRequest chat, boolean includeUsage) {
  public OpenAiChatRequest {
    Objects.requireNonNull(chat, "chat");
  }
}
