package dev.tollgate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.CloudSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.protocol.anthropic.AnthropicKeyAuthorizer;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.provider.CodecUpstream;
import dev.tollgate.provider.HttpUpstream;
import dev.tollgate.provider.bedrock.AwsCredentials;
import dev.tollgate.provider.bedrock.BedrockConverseCodec;
import dev.tollgate.provider.bedrock.SigV4Authorizer;
import dev.tollgate.provider.gemini.GeminiCodec;
import dev.tollgate.provider.gemini.GeminiKeyAuthorizer;
import dev.tollgate.provider.gemini.GeminiPaths;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocol.openai.translate.AzureKeyAuthorizer;
import dev.tollgate.protocol.openai.translate.BearerKeyAuthorizer;
import dev.tollgate.protocol.openai.translate.OpenAiChatRoute;
import dev.tollgate.protocol.openai.translate.OpenAiFlavor;
import dev.tollgate.protocol.openai.translate.OpenAiProviderCodec;
import dev.tollgate.provider.Endpoint;
import dev.tollgate.provider.RequestAuthorizer;
import dev.tollgate.provider.Upstream;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.config.ProviderType;
import dev.tollgate.provider.vertex.ServiceAccountKey;
import dev.tollgate.provider.vertex.VertexProviders;
import dev.tollgate.provider.vertex.VertexTokenSource;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.time.Clock;

/**
 * Builds the codec, authorizer and connection pool of each provider with its own wire format. Holds
 * what providers share across event loops (Vertex access tokens); close it after the servers.
 */
public final class CodecProviders implements AutoCloseable {
  private final ObjectMapper json;
  private final Clock clock;
  private final Map<String, VertexTokenSource> vertexTokens = new ConcurrentHashMap<>();

  public CodecProviders(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** The upstream for {@code p} on the calling event loop; {@code p} was validated by the config loader. */
  public CodecUpstream create(Vertx vertx, ProviderConfig p) {
    HttpUpstream http = new HttpUpstream(vertx, p);
    CloudSettings cloud = p.cloud();
    return switch (p.type()) {
      case ANTHROPIC -> new CodecUpstream(http, new AnthropicProviderCodec(json, cloud.defaultMaxTokens(), clock),
          new AnthropicKeyAuthorizer(p.name(), p.apiKey().orElseThrow()));
      case GEMINI -> new CodecUpstream(http, new GeminiCodec(json, new GeminiPaths.GoogleAi()),
          new GeminiKeyAuthorizer(p.name(), p.apiKey().orElseThrow()));
      case BEDROCK -> new CodecUpstream(http, new BedrockConverseCodec(json),
          new SigV4Authorizer(p.name(), new AwsCredentials(cloud.awsAccessKeyId().orElseThrow(),
              cloud.awsSecretAccessKey().orElseThrow(), cloud.awsSessionToken().orElse(null)), cloud.region(),
              UpstreamAddress.of(p.baseUrl()).orElseThrow(), clock));
      case VERTEX -> {
        CloudSettings.Vertex v = cloud.vertex();
        ServiceAccountKey key = vertexKey(p);
        VertexTokenSource tokens = vertexTokens.computeIfAbsent(p.name(),
            name -> new VertexTokenSource(vertx, name, key, json, clock, p.timeouts().connect()));
        yield new VertexProviders(json, cloud.defaultMaxTokens(), clock).create(
            VertexProviders.Publisher.of(v.publisher()), http, tokens,
            v.project().isBlank() ? key.projectId() : v.project(), v.location());
      }
      case OPENAI -> new CodecUpstream(http, new OpenAiProviderCodec(json, new OpenAiChatRoute.Standard(),
          isOpenAi(p) ? OpenAiFlavor.OPENAI : OpenAiFlavor.COMPATIBLE, clock), keyed(p));
      case AZURE -> new CodecUpstream(http, new OpenAiProviderCodec(json, new OpenAiChatRoute.Azure(p.apiVersion()),
          OpenAiFlavor.OPENAI, clock), new AzureKeyAuthorizer(p.apiKey().orElseThrow()));
      case MOCK -> throw new IllegalArgumentException("mock providers are reached through mock(...)");
    };
  }

  /**
   * The built-in mock behind the OpenAI codec, for callers of other formats: the codec's OpenAI
   * request goes to the mock as if it had come over HTTP.
   */
  public CodecUpstream mock(Upstream mock, ProviderConfig p) {
    OpenAiProviderCodec codec = new OpenAiProviderCodec(json, new OpenAiChatRoute.Standard(), OpenAiFlavor.COMPATIBLE,
        clock);
    return new CodecUpstream(p.name(), "localhost", codec, (host, request) -> Future.succeededFuture(Map.of()),
        (wire, headers, requestId) -> {
          JsonNode body;
          try {
            body = json.readTree(wire.body().getBytes());
          } catch (IOException e) {
            throw new UncheckedIOException("the OpenAI codec wrote invalid JSON", e);
          }
          return mock.open(new UpstreamRequest(Endpoint.CHAT_COMPLETIONS, body.path("model").asText(), wire.body(),
              body.path("stream").asBoolean(false), requestId));
        }, () -> { });
  }

  /**
   * What cannot be known until keys are parsed, as configuration problems with their paths (a
   * malformed service-account key): checked once at startup, before anything listens.
   */
  public List<String> problems(List<ProviderConfig> providers) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < providers.size(); i++) {
      ProviderConfig p = providers.get(i);
      if (p.type() == ProviderType.VERTEX) {
        try {
          vertexKey(p);
        } catch (IllegalArgumentException e) {
          out.add("providers[" + i + "]: the service-account key is not usable: " + e.getMessage());
        }
      }
    }
    return out;
  }

  private ServiceAccountKey vertexKey(ProviderConfig p) {
    return ServiceAccountKey.parse(json, p.cloud().vertex().serviceAccountKey().value()
        .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    vertexTokens.values().forEach(VertexTokenSource::close);
  }

  private static boolean isOpenAi(ProviderConfig p) {
    return p.baseUrl() != null && "api.openai.com".equalsIgnoreCase(p.baseUrl().getHost());
  }

  /** Local servers (vLLM, Ollama) often need no key. */
  private static RequestAuthorizer keyed(ProviderConfig p) {
    return p.apiKey().isPresent() ? new BearerKeyAuthorizer(p.apiKey().get())
        : (host, request) -> Future.succeededFuture(Map.of());
  }
}
