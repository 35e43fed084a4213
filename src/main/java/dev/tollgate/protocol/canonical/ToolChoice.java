package dev.tollgate.protocol.canonical;

/** Whether and which tool the model must call. */
public sealed interface ToolChoice {
  /** The model decides (every format's default). */
  record Auto() implements ToolChoice {}

  /** No tool may be called. */
  record None() implements ToolChoice {}

  /** Some tool must be called (OpenAI {@code required}, Anthropic {@code any}). */
  record Required() implements ToolChoice {}

  /** This tool must be called. */
  record Named(String name) implements ToolChoice {}

  ToolChoice AUTO = new Auto();
  ToolChoice NONE = new None();
  ToolChoice REQUIRED = new Required();
}
