package dev.tollgate.protocol.canonical;

/** Who wrote a message. System instructions are not a role here: see {@link ChatRequest#system()}. */
public enum Role {
  USER,
  ASSISTANT,
  /** Results of tool calls; Anthropic and Bedrock carry these in user turns, codecs convert. */
  TOOL
}
