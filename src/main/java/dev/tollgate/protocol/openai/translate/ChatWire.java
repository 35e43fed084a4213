package dev.tollgate.protocol.openai.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.metering.TokenUsage;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.protocol.openai.UsageReader;

/** The pieces answers and stream chunks share: finish reasons and the usage object. */
final class ChatWire {
  private ChatWire() {}

  /**
   * OpenAI reports a matched stop sequence as {@code stop} too, and has no term for "other", so
   * both become {@code stop}: the closest thing to "the answer ended" a client understands.
   */
  static String finishReason(StopReason reason) {
    return switch (reason) {
      case END, STOP_SEQUENCE, OTHER -> "stop";
      case MAX_TOKENS -> "length";
      case TOOL_CALLS -> "tool_calls";
      case CONTENT_FILTER -> "content_filter";
    };
  }

  /** The legacy {@code function_call} reason is a tool call by another name. */
  static StopReason stopReason(String finishReason) {
    return switch (finishReason) {
      case "stop" -> StopReason.END;
      case "length" -> StopReason.MAX_TOKENS;
      case "tool_calls", "function_call" -> StopReason.TOOL_CALLS;
      case "content_filter" -> StopReason.CONTENT_FILTER;
      default -> StopReason.OTHER;
    };
  }

  /**
   * Cache writes have no field of their own: OpenAI counts them in {@code prompt_tokens}, where the
   * canonical input already has them.
   */
  static void writeUsage(Usage usage, ObjectNode out) {
    out.put("prompt_tokens", usage.input());
    out.put("completion_tokens", usage.output());
    out.put("total_tokens", usage.input() + usage.output());
    out.putObject("prompt_tokens_details").put("cached_tokens", usage.cacheRead());
    out.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoning());
  }

  /** The usage object, or null when there is none (some compatible servers send no usage). */
  static Usage readUsage(JsonNode usage) {
    return UsageReader.read(usage).map(ChatWire::toUsage).orElse(null);
  }

  private static Usage toUsage(TokenUsage u) {
    return new Usage(u.input(), u.output(), u.cached(), 0, u.reasoning());
  }
}
