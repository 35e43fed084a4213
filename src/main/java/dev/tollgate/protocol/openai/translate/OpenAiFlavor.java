package dev.tollgate.protocol.openai.translate;

/**
 * Which OpenAI chat dialect a provider speaks: OpenAI itself (and Azure), or the servers that copy
 * its API (vLLM, Ollama, llama.cpp, DeepSeek, Groq, Together ...), which differ in a few fields.
 */
public enum OpenAiFlavor {
  /**
   * api.openai.com and Azure OpenAI: the output cap is {@code max_completion_tokens} (reasoning
   * models refuse {@code max_tokens}); {@code top_k} does not exist; earlier reasoning cannot be
   * sent back in chat completions.
   */
  OPENAI,
  /**
   * OpenAI-compatible servers: {@code max_tokens} (what every one of them accepts), {@code top_k}
   * is understood, and earlier reasoning goes back as {@code reasoning_content} (DeepSeek's field,
   * which its tool-call loops need and others ignore).
   */
  COMPATIBLE
}
