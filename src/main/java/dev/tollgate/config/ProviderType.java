package dev.tollgate.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The provider adapters this build knows. */
public enum ProviderType {
  OPENAI,
  AZURE,
  /** Anthropic's Messages API. */
  ANTHROPIC,
  /** Google AI's Gemini API (API key). */
  GEMINI,
  /** AWS Bedrock's Converse API, SigV4-signed. */
  BEDROCK,
  /** Google Vertex AI: Gemini or Anthropic models, OAuth2 with a service-account key. */
  VERTEX,
  MOCK;

  /** Whether the provider speaks the OpenAI wire format, so OpenAI callers' bytes pass through. */
  public boolean openAiCompatible() {
    return this == OPENAI || this == AZURE || this == MOCK;
  }

  /** The API root used when the config gives no base_url; null when one is required. */
  public String defaultBaseUrl(String region) {
    return switch (this) {
      case ANTHROPIC -> "https://api.anthropic.com";
      case GEMINI -> "https://generativelanguage.googleapis.com";
      case BEDROCK -> region == null || region.isBlank() ? null : "https://bedrock-runtime." + region + ".amazonaws.com";
      case VERTEX -> region == null || region.isBlank() ? null : "https://" + region + "-aiplatform.googleapis.com";
      case OPENAI, AZURE, MOCK -> null;
    };
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ProviderType> parse(String s) {
    return Arrays.stream(values()).filter(t -> t.configName().equals(s)).findFirst();
  }

  public static String known() {
    return Arrays.stream(values()).map(ProviderType::configName).collect(Collectors.joining(", "));
  }
}
