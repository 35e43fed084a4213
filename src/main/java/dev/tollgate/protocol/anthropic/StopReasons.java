package dev.tollgate.protocol.anthropic;

import dev.tollgate.protocol.canonical.StopReason;

/** Anthropic's {@code stop_reason} vocabulary and the canonical one. */
final class StopReasons {
  private StopReasons() {}

  static String toAnthropic(StopReason reason) {
    return switch (reason) {
      case END, OTHER -> "end_turn";
      case MAX_TOKENS -> "max_tokens";
      case STOP_SEQUENCE -> "stop_sequence";
      case TOOL_CALLS -> "tool_use";
      case CONTENT_FILTER -> "refusal";
    };
  }

  /** Unknown or future reasons (pause_turn included: the caller must continue the turn) are OTHER. */
  static StopReason fromAnthropic(String reason) {
    return switch (reason) {
      case "end_turn" -> StopReason.END;
      // The answer was cut by the context window rather than max_tokens: still a length stop.
      case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
      case "stop_sequence" -> StopReason.STOP_SEQUENCE;
      case "tool_use" -> StopReason.TOOL_CALLS;
      case "refusal" -> StopReason.CONTENT_FILTER;
      default -> StopReason.OTHER;
    };
  }
}
