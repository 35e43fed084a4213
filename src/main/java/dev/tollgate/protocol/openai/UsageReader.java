package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metering.TokenUsage;
import java.util.Optional;

/** Reads OpenAI's {@code usage} object (chat, completions, embeddings, and the Responses API's). */
public final class UsageReader {
  private UsageReader() {}

  public static Optional<TokenUsage> read(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return Optional.empty();
    }
    if (usage.has("input_tokens")) {
      // The Responses API's shape: the same counts under other names (input includes cached tokens).
      return Optional.of(new TokenUsage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
          usage.path("input_tokens_details").path("cached_tokens").asLong(0),
          usage.path("output_tokens_details").path("reasoning_tokens").asLong(0), false));
    }
    long input = usage.path("prompt_tokens").asLong(0);
    long output = usage.path("completion_tokens").asLong(0);
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    long reasoning = usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0);
    return Optional.of(new TokenUsage(input, output, cached, reasoning, false));
  }

  /** The answer's text (message content, completion text, tool-call arguments), for local counting. */
  public static void appendText(JsonNode choices, StringBuilder out, int limit) {
    if (choices == null || !choices.isArray()) {
      return;
    }
    for (JsonNode choice : choices) {
      JsonNode carrier = choice.has("delta") ? choice.get("delta") : choice.get("message");
      if (carrier != null) {
        append(carrier.get("content"), out, limit);
        append(carrier.get("reasoning_content"), out, limit);
        JsonNode calls = carrier.get("tool_calls");
        if (calls != null && calls.isArray()) {
          for (JsonNode call : calls) {
            append(call.path("function").get("name"), out, limit);
            append(call.path("function").get("arguments"), out, limit);
          }
        }
      }
      append(choice.get("text"), out, limit);
    }
  }

  private static void append(JsonNode text, StringBuilder out, int limit) {
    if (text != null && text.isTextual() && out.length() < limit) {
      String s = text.asText();
      out.append(s, 0, Math.min(s.length(), limit - out.length()));
    }
  }
}
