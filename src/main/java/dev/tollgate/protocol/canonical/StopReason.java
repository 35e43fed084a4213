package dev.tollgate.protocol.canonical;

/** Why the model stopped, mapped from each provider's vocabulary. */
public enum StopReason {
  /** Natural end of the answer (OpenAI stop, Anthropic end_turn, Gemini STOP). */
  END,
  /** Hit the output token cap (length, max_tokens, MAX_TOKENS). */
  MAX_TOKENS,
  /** Matched one of the caller's stop sequences. */
  STOP_SEQUENCE,
  /** Wants tool results before going on. */
  TOOL_CALLS,
  /** Blocked by the provider's safety system (content_filter, SAFETY, guardrail, refusal). */
  CONTENT_FILTER,
  /** Anything else the provider reported; codecs map it to their closest term. */
  OTHER
}
