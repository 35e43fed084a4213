package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * Counts tokens locally with JTokkit, for the calls whose upstream reports no usage (and for the mock
 * provider). o200k for the GPT-4o / 4.1 / o-series families, cl100k otherwise: an estimate for other
 * vendors' tokenizers, which is why such records are marked {@code estimated}. Counts of prompt text are
 * remembered ({@link #countPromptText}), bounded by characters. Thread-safe.
 */
public final class TokenCounter {
  /** Per-message overhead of the chat format (role markers), per OpenAI's published counting recipe. */
  private static final int TOKENS_PER_MESSAGE = 3;
  private static final int TOKENS_PER_REPLY = 3;
  /**
   * Characters of prompt text whose counts are remembered, per encoding (1-2 bytes each, plus ~100 bytes
   * an entry): a few thousand system prompts and tool lists.
   */
  static final long REMEMBERED_CHARS = 4L << 20;

  private final Encoding o200k;
  private final Encoding cl100k;
  private final Cache<String, Integer> o200kCounts = counts();
  private final Cache<String, Integer> cl100kCounts = counts();

  public TokenCounter() {
    EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    this.o200k = registry.getEncoding(EncodingType.O200K_BASE);
    this.cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
  }

  private static Cache<String, Integer> counts() {
    // Maintenance on the calling thread: on the common pool, every new text woke a pool thread (a context
    // switch per call when prompts are unique: ~+30 us a call under load here).
    return Caffeine.newBuilder().maximumWeight(REMEMBERED_CHARS).weigher((String text, Integer n) -> text.length())
        .executor(Runnable::run).build();
  }

  public Encoding encodingFor(String model) {
    return modern(model) ? o200k : cl100k;
  }

  private static boolean modern(String model) {
    String m = model == null ? "" : model;
    // o1, o3, o4-mini...: checked by hand, since this runs for every string of a prompt
    boolean oSeries = m.length() >= 2 && m.charAt(0) == 'o' && m.charAt(1) >= '1' && m.charAt(1) <= '9';
    return oSeries || m.startsWith("gpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-5")
        || m.startsWith("chatgpt-4o");
  }

  public int count(String model, String text) {
    return text == null || text.isEmpty() ? 0 : encodingFor(model).countTokensOrdinary(text);
  }

  /**
   * Counts prompt text for {@code model}, remembering the counts of recent texts: system prompts, tool
   * definitions and conversation history come back call after call, and counting them again costs
   * microseconds on the event loop (JTokkit's o200k splits text with a regular expression). A text
   * longer than a quarter of the memory is counted every time, so that one document cannot push out the rest.
   */
  public int countPromptText(String model, String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    boolean modern = modern(model);
    Encoding encoding = modern ? o200k : cl100k;
    if (text.length() > REMEMBERED_CHARS / 4) {
      return encoding.countTokensOrdinary(text);
    }
    return (modern ? o200kCounts : cl100kCounts).get(text, encoding::countTokensOrdinary);
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
          total += countPromptText(model, name.asText()) + 1;
        }
        JsonNode toolCalls = message.get("tool_calls");
        if (toolCalls != null) {
          total += countPromptText(model, toolCalls.toString());
        }
      }
      JsonNode tools = body.get("tools");
      if (tools != null && tools.isArray()) {
        total += countPromptText(model, tools.toString());
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
      return countPromptText(model, input.asText());
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
      return countPromptText(model, content.asText());
    }
    long total = 0;
    if (content.isArray()) {
      for (JsonNode part : content) {
        JsonNode text = part.get("text");
        if (text != null && text.isTextual()) {
          total += countPromptText(model, text.asText());
        }
      }
    }
    return total;
  }
}
