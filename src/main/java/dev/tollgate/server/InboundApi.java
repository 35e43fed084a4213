package dev.tollgate.server;

/** The wire format a caller speaks to the gateway. */
public enum InboundApi {
  /** OpenAI's chat completions, completions and embeddings: passed through to OpenAI-compatible providers. */
  OPENAI,
  /** Anthropic's Messages API: always through the canonical model, to any provider. */
  ANTHROPIC
}
