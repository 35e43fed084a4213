package dev.tollgate.protocol.canonical;

import java.util.List;

/**
 * A whole (non-streamed) answer. Multiple candidates exist only when the request asked for them
 * (OpenAI {@code n}); every other format has exactly one.
 *
 * @param created seconds since the epoch, as OpenAI reports it
 */
public record ChatResponse(String id, String model, long created, List<Candidate> candidates, Usage usage) {
  public ChatResponse {
    candidates = List.copyOf(candidates);
  }

  /** This answer with the id, model and time it lacks taken from the gateway (Bedrock sends none). */
  public ChatResponse orDefaults(String defaultId, String defaultModel, long defaultCreated) {
    return new ChatResponse(id == null || id.isBlank() ? defaultId : id,
        model == null || model.isBlank() ? defaultModel : model, created <= 0 ? defaultCreated : created,
        candidates, usage);
  }

  /**
   * One alternative answer: text, reasoning and tool calls in the order the model produced them.
   *
   * @param stopSequence the caller's stop sequence that ended it, when the provider says which; else null
   */
  public record Candidate(int index, List<Part> parts, StopReason stopReason, String stopSequence) {
    public Candidate {
      parts = List.copyOf(parts);
    }

    public Candidate(int index, List<Part> parts, StopReason stopReason) {
      this(index, parts, stopReason, null);
    }
  }
}
