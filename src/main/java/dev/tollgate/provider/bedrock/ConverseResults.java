package dev.tollgate.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;

/** The parts of a Converse answer that whole and streamed answers share: stop reasons and token usage. */
final class ConverseResults {
  private ConverseResults() {}

  /**
   * Converse's {@code stopReason} in canonical terms. {@code model_context_window_exceeded} means the
   * answer was cut because prompt plus output filled the window: callers see it as a length stop,
   * like OpenAI's {@code length}, rather than an unexplained OTHER.
   */
  static StopReason stopReason(String reason) {
    return switch (reason) {
      case "end_turn" -> StopReason.END;
      case "tool_use" -> StopReason.TOOL_CALLS;
      case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
      case "stop_sequence" -> StopReason.STOP_SEQUENCE;
      case "guardrail_intervened", "content_filtered" -> StopReason.CONTENT_FILTER;
      default -> StopReason.OTHER;
    };
  }

  /**
   * Converse's {@code usage} in canonical terms. Bedrock's {@code inputTokens} counts only the prompt
   * tokens neither read from nor written to the prompt cache (its prompt-caching guide: total input =
   * inputTokens + cacheReadInputTokens + cacheWriteInputTokens), so they are added up here; Converse
   * does not break reasoning tokens out of {@code outputTokens}.
   */
  static Usage usage(JsonNode usage, String path) {
    if (usage == null || !usage.isObject()) {
      throw new TranslationException(path, "missing the usage object");
    }
    long input = count(usage, "inputTokens", path, true);
    long output = count(usage, "outputTokens", path, true);
    long cacheRead = count(usage, "cacheReadInputTokens", path, false);
    long cacheWrite = count(usage, "cacheWriteInputTokens", path, false);
    return new Usage(input + cacheRead + cacheWrite, output, cacheRead, cacheWrite, 0);
  }

  private static long count(JsonNode usage, String field, String path, boolean required) {
    JsonNode n = usage.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new TranslationException(path + "." + field, "the usage object has no " + field);
      }
      return 0;
    }
    if (!n.isIntegralNumber() || n.asLong() < 0) {
      throw new TranslationException(path + "." + field, field + " must be a non-negative integer");
    }
    return n.asLong();
  }
}
