package dev.tollgate.provider.vertex;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.provider.CodecUpstream;
import dev.tollgate.provider.HttpUpstream;
import dev.tollgate.provider.ProviderCodec;
import dev.tollgate.provider.gemini.GeminiCodec;
import dev.tollgate.provider.gemini.GeminiPaths;
import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Builds Vertex AI upstreams: one model family (publisher) per configured provider, all authorized
 * by the service account's tokens. Thread-safe: immutable.
 */
public final class VertexProviders {

  /** The model family a Vertex provider serves, from the config value {@code publisher}. */
  public enum Publisher {
    /** Gemini models: {@code publishers/google}, Gemini's own body. */
    GOOGLE,
    /** Claude models: {@code publishers/anthropic}, Anthropic's Messages body. */
    ANTHROPIC;

    /**
     * The publisher named by a config value ({@code google} or {@code anthropic}, any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Publisher of(String configured) {
      String name = configured == null ? "" : configured.trim().toUpperCase(Locale.ROOT);
      return Arrays.stream(values()).filter(p -> p.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("publisher: " + configured + " (expected: google, anthropic)"));
    }
  }

  private final ObjectMapper json;
  private final int defaultMaxTokens;
  private final Clock clock;

  /**
   * @param defaultMaxTokens sent as Anthropic's {@code max_tokens} when a request has none
   * @param clock for Anthropic answers' {@code created} and Retry-After dates
   */
  public VertexProviders(ObjectMapper json, int defaultMaxTokens, Clock clock) {
    this.json = Objects.requireNonNull(json, "json");
    this.defaultMaxTokens = defaultMaxTokens;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Vertex's regional endpoint for {@code location}, e.g. {@code https://us-east5-aiplatform.googleapis.com};
   * the {@code global} location has no regional prefix.
   */
  public static URI defaultBaseUrl(String location) {
    return URI.create(location.equals("global") ? "https://aiplatform.googleapis.com"
        : "https://" + location + "-aiplatform.googleapis.com");
  }

  /** The upstream of a provider with {@code publisher}: {@link #gemini} or {@link #anthropic}. */
  public CodecUpstream create(Publisher publisher, HttpUpstream http, VertexTokenSource tokens, String project,
      String location) {
    return new CodecUpstream(http, codec(publisher, project, location), new VertexAuthorizer(tokens));
  }

  /** Gemini models on Vertex. */
  public CodecUpstream gemini(HttpUpstream http, VertexTokenSource tokens, String project, String location) {
    return create(Publisher.GOOGLE, http, tokens, project, location);
  }

  /** Claude models on Vertex. */
  public CodecUpstream anthropic(HttpUpstream http, VertexTokenSource tokens, String project, String location) {
    return create(Publisher.ANTHROPIC, http, tokens, project, location);
  }

  /** The wire format of {@code publisher}'s models in {@code project} and {@code location}. */
  public ProviderCodec codec(Publisher publisher, String project, String location) {
    return switch (publisher) {
      case GOOGLE -> new GeminiCodec(json, new GeminiPaths.Vertex(project, location));
      case ANTHROPIC -> new VertexAnthropicCodec(json, new AnthropicProviderCodec(json, defaultMaxTokens, clock),
          project, location);
    };
  }
}
