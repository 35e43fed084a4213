package dev.tollgate.provider;

/** The OpenAI-format operations a provider may serve, with their path under the API root. */
public enum Endpoint {
  CHAT_COMPLETIONS("/chat/completions", "chat.completions"),
  COMPLETIONS("/completions", "completions"),
  EMBEDDINGS("/embeddings", "embeddings");

  private final String path;
  private final String label;

  Endpoint(String path, String label) {
    this.path = path;
    this.label = label;
  }

  public String path() {
    return path;
  }

  /** Name in usage records and metrics. */
  public String label() {
    return label;
  }
}
