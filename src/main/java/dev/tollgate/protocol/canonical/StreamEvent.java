package dev.tollgate.protocol.canonical;

/**
 * One step of a streamed answer. A well-formed stream is: {@link Start}, then deltas, then one
 * {@link Finish} per candidate, at most one {@link UsageReport} (anywhere after Start), then
 * {@link End}. {@link Failure} may replace the rest at any point.
 *
 * <p>{@code candidate} is the choice index (0 unless several were asked for); {@code toolIndex}
 * numbers the tool calls of one candidate from 0, in the order they started.
 */
public sealed interface StreamEvent {

  /** The answer begins. */
  record Start(String id, String model, long created) implements StreamEvent {

    /** This start with the id, model and time it lacks taken from the gateway. */
    public Start orDefaults(String defaultId, String defaultModel, long defaultCreated) {
      return new Start(id == null || id.isBlank() ? defaultId : id,
          model == null || model.isBlank() ? defaultModel : model, created <= 0 ? defaultCreated : created);
    }
  }

  /** More answer text. */
  record TextDelta(int candidate, String text) implements StreamEvent {}

  /**
   * More reasoning text, or the block's signature once it is complete (Anthropic). {@code redacted}
   * carries a whole redacted reasoning block's encrypted data (Anthropic's redacted_thinking), with
   * empty text and no signature; null otherwise.
   */
  record ReasoningDelta(int candidate, String text, String signature, String redacted) implements StreamEvent {

    public ReasoningDelta(int candidate, String text, String signature) {
      this(candidate, text, signature, null);
    }
  }

  /** A tool call begins. */
  record ToolCallStart(int candidate, int toolIndex, String id, String name) implements StreamEvent {}

  /** More of a tool call's JSON arguments (fragments concatenate to the whole object). */
  record ToolCallDelta(int candidate, int toolIndex, String argumentsFragment) implements StreamEvent {}

  /** A candidate is complete; {@code stopSequence} is the matched stop sequence when the provider says, else null. */
  record Finish(int candidate, StopReason reason, String stopSequence) implements StreamEvent {

    public Finish(int candidate, StopReason reason) {
      this(candidate, reason, null);
    }
  }

  /** Token counts for the whole answer. */
  record UsageReport(Usage usage) implements StreamEvent {}

  /** The stream ended cleanly (OpenAI [DONE], Anthropic message_stop, end of a Gemini stream). */
  record End() implements StreamEvent {}

  /**
   * The provider reported an error in the stream.
   *
   * @param type the provider's error type, e.g. overloaded_error
   */
  record Failure(String type, String message) implements StreamEvent {}
}
