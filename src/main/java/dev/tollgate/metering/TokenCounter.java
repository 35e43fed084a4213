package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * Counts tokens locally with JTokkit, for the calls whose upstream reports no usage (and for the mock
 * provider). o200k for the GPT-4o / 4.1 / o-series families, cl100k otherwise: an estimate for other
 * vendors' tokenizers, which is why such records are marked {@code estimated}. Thread-safe.
 */
public final class TokenCounter {
  /** Per-message overhead of the chat format (role markers), per OpenAI's published counting recipe. */
  private static final int TOKENS_PER_MESSAGE = 3;
  private static final int TOKENS_PER_REPLY = 3;

  private final Encoding o200k;
  private final Encoding cl100k;

  public TokenCounter() {
    EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    this.o200k = registry.getEncoding(EncodingType.O200K_BASE);
    this.cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
  }

  public Encoding encodingFor(String model) {
    String m = model == null ? "" : model;
    boolean modern = m.startsWith("gpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-5")
        || m.matches("o[1-9].*") || m.startsWith("chatgpt-4o");
    return modern ? o200k : cl100k;
  }

  public int count(String model, String text) {
    return text == null || text.isEmpty() ? 0 : encodingFor(model).countTokensOrdinary(text);
  }

  public IntArrayList encode(String model, String text) {
    return encodingFor(model).encodeOrdinary(text);
  }

  public String decode(String model, IntArrayList tokens) {
    return encodingFor(model).decode(tokens);
  }

  /** Prompt tokens of an OpenAI-format request body (chat messages, completion prompt or embedding input). */
  public long countPrompt(String model, JsonNode body) {
    JsonNode messages = body.get("messages");
    if (messages != null && messages.isArray()) {
      long total = TOKENS_PER_REPLY;
      for (JsonNode message : messages) {
        total += TOKENS_PER_MESSAGE + countContent(model, message.get("content"));
        JsonNode name = message.get("name");
        if (name != null && name.isTextual()) {
          total += count(model, name.asText()) + 1;
        }
        JsonNode toolCalls = message.get("tool_calls");
        if (toolCalls != null) {
          total += count(model, toolCalls.toString());
        }
      }
      JsonNode tools = body.get("tools");
      if (tools != null && tools.isArray()) {
        total += count(model, tools.toString());
      }
      return total;
    }
    JsonNode prompt = body.has("prompt") ? body.get("prompt") : body.get("input");
    return countInputs(model, prompt);
  }

  private long countInputs(String model, JsonNode input) {
    if (input == null || input.isNull()) {
      return 0;
    }
    if (input.isTextual()) {
      return count(model, input.asText());
    }
    if (input.isArray()) {
      if (!input.isEmpty() && input.get(0).isNumber()) {
        return input.size(); // already token ids
      }
      long total = 0;
      for (JsonNode item : input) {
        total += countInputs(model, item);
      }
      return total;
    }
    return 0;
  }

  private long countContent(String model, JsonNode content) {
    if (content == null || content.isNull()) {
      return 0;
    }
    if (content.isTextual()) {
      return count(model, content.asText());
    }
    long total = 0;
    if (content.isArray()) {
      for (JsonNode part : content) {
        JsonNode text = part.get("text");
        if (text != null && text.isTextual()) {
          total += count(model, text.asText());
        }
      }
    }
    return total;
  }
}
