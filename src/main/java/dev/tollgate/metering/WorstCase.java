package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The most a call can cost, as budgets reserve it before the call: every prompt token at the dearest
 * input rate the provider may charge (a prompt-cache write costs more than plain input), every output
 * token the call may produce, and the per-call fee. Stateless apart from the token counter.
 *
 * <p>Prompt tokens are counted with JTokkit over every string of the request (system prompts, tool
 * definitions and content blocks included, whatever the format) plus a margin for other vendors'
 * tokenizers, which can count a fifth more than OpenAI's for the same text. Whatever a worst case
 * still misses is charged as overrun, never dropped.
 */
public final class WorstCase {
  /** Output when neither the request nor the model configuration says, and the model is not known. */
  public static final long DEFAULT_OUTPUT_CAP = 32_768;
  /** A data URL (an inlined image or file) counts as this many tokens, not as its base64 text. */
  static final long INLINE_DATA_TOKENS = 2_000;
  private static final long PER_OBJECT_TOKENS = 3;

  /** The largest output of the well-known models, by name prefix (longest prefix wins). */
  private static final Map<String, Long> OUTPUT_CAPS = Map.ofEntries(
      Map.entry("gpt-4o", 16_384L), Map.entry("gpt-4.1", 32_768L), Map.entry("gpt-4-turbo", 4_096L),
      Map.entry("gpt-3.5-turbo", 4_096L), Map.entry("gpt-5", 128_000L), Map.entry("o1", 100_000L),
      Map.entry("o3", 100_000L), Map.entry("o4-mini", 100_000L), Map.entry("claude-3-5", 8_192L),
      Map.entry("claude-sonnet-4", 64_000L), Map.entry("claude-opus-4", 32_000L), Map.entry("gemini-2.0", 8_192L),
      Map.entry("gemini-2.5", 65_536L), Map.entry("deepseek-chat", 8_192L), Map.entry("mistral-large", 32_768L),
      Map.entry("text-embedding", 0L));

  private final TokenCounter tokens;

  public WorstCase(TokenCounter tokens) {
    this.tokens = tokens;
  }

  /** Prompt tokens of any request body, counted generously (see the class comment). */
  public long promptTokens(String model, JsonNode body) {
    long counted = countStrings(model, body);
    return counted + counted / 5 + 16;
  }

  private long countStrings(String model, JsonNode node) {
    if (node == null) {
      return 0;
    }
    // One virtual call per node rather than an isX() each: this walks every node of every budgeted request.
    return switch (node.getNodeType()) {
      case STRING -> {
        String text = node.textValue();
        yield text.startsWith("data:") ? INLINE_DATA_TOKENS : tokens.countPromptText(model, text);
      }
      case OBJECT -> {
        long total = PER_OBJECT_TOKENS;
        for (var field : node.properties()) {
          if (!field.getKey().equals("model")) {
            total += countStrings(model, field.getValue());
          }
        }
        yield total;
      }
      case ARRAY -> {
        long total = 0;
        for (int i = 0, n = node.size(); i < n; i++) {
          total += countStrings(model, node.get(i));
        }
        yield total;
      }
      case NUMBER -> 1; // token ids in a prompt, numbers in tool schemas
      default -> 0; // booleans, nulls, binary
    };
  }

  /**
   * The most output tokens the call may produce: what the request caps it at ({@code max_tokens},
   * {@code max_completion_tokens}, {@code max_output_tokens}) times its choices ({@code n}), else the
   * model's configured cap, else the upstream model's known cap, else {@link #DEFAULT_OUTPUT_CAP}.
   */
  public static long maxOutputTokens(JsonNode body, OptionalLong modelCap, String upstreamModel, boolean embedding) {
    if (embedding) {
      return 0;
    }
    long choices = Math.max(1, body.path("n").asLong(1));
    for (String field : new String[] {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
      JsonNode value = body.get(field);
      if (value != null && value.canConvertToLong() && value.asLong() > 0) {
        return Math.multiplyExact(value.asLong(), choices);
      }
    }
    if (modelCap.isPresent()) {
      return Math.multiplyExact(modelCap.getAsLong(), choices);
    }
    return Math.multiplyExact(knownCap(upstreamModel), choices);
  }

  static long knownCap(String model) {
    String best = null;
    for (String prefix : OUTPUT_CAPS.keySet()) {
      if (model.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best == null ? DEFAULT_OUTPUT_CAP : OUTPUT_CAPS.get(best);
  }

  /** The cost of {@code promptTokens} in and {@code outputTokens} out at the dearest rates of {@code price}. */
  public static long micros(Price price, long promptTokens, long outputTokens) {
    Price dearest = new Price(Math.max(price.inputMicrosPerMtok(), price.cacheWriteMicrosPerMtok()),
        price.outputMicrosPerMtok(), 0, 0, price.requestMicros());
    return dearest.costMicros(new TokenUsage(promptTokens, outputTokens, 0, 0, 0, false));
  }
}
