package dev.tollgate.provider.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.CloudSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.protocol.anthropic.AnthropicKeyAuthorizer;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.protocol.openai.translate.AzureKeyAuthorizer;
import dev.tollgate.protocol.openai.translate.BearerKeyAuthorizer;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.vertex.ServiceAccountKey;
import dev.tollgate.provider.RequestAuthorizer;
import dev.tollgate.provider.bedrock.AwsCredentials;
import dev.tollgate.provider.bedrock.SigV4Authorizer;
import dev.tollgate.provider.gemini.GeminiKeyAuthorizer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The cheapest request each provider type answers, and the credentials it carries. Listing models
 * costs nothing on OpenAI, Azure, Anthropic and Gemini. Bedrock's runtime endpoint has no free call,
 * so the probe sends a Converse to {@link #BEDROCK_PROBE_MODEL}, a model id that cannot exist: AWS
 * authenticates the signature before it looks the model up, so a {@code ValidationException} or
 * {@code ResourceNotFoundException} proves reachability and credentials without invoking (or billing)
 * any model. Thread-safe: immutable.
 */
final class ProbeRequests {
  /** Not a Bedrock model id format (no vendor prefix, no version), so it never names a real model. */
  static final String BEDROCK_PROBE_MODEL = "tollgate-doctor-probe";

  private final ObjectMapper json;
  private final Clock clock;

  ProbeRequests(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** The probe request of {@code p}, before credentials; {@code p} must not be a mock. */
  ProviderHttpRequest request(ProviderConfig p) {
    Map<String, String> acceptJson = Map.of("accept", "application/json");
    return switch (p.type()) {
      case OPENAI -> get("/models", acceptJson);
      case AZURE -> get("/openai/models?api-version=" + URLEncoder.encode(p.apiVersion() == null ? ""
          : p.apiVersion(), StandardCharsets.UTF_8), acceptJson);
      case ANTHROPIC -> get("/v1/models?limit=1",
          Map.of("accept", "application/json", "anthropic-version", AnthropicProviderCodec.VERSION));
      case GEMINI -> get("/v1beta/models?pageSize=1", acceptJson);
      case BEDROCK -> new ProviderHttpRequest("POST", "/model/" + BEDROCK_PROBE_MODEL + "/converse",
          Map.of("content-type", "application/json", "accept", "application/json"), bedrockBody());
      case VERTEX -> get("/v1beta1/publishers/" + p.cloud().vertex().publisher() + "/models?pageSize=1", acceptJson);
      case MOCK -> throw new IllegalArgumentException("the mock provider is not probed over HTTP");
    };
  }

  /** Why {@code p} cannot even be asked: the credentials it needs are not configured. */
  Optional<String> missingCredentials(ProviderConfig p) {
    boolean noKey = p.apiKey().isEmpty() || p.apiKey().get().isEmpty();
    return switch (p.type()) {
      case AZURE, ANTHROPIC, GEMINI -> noKey ? Optional.of("no api_key is configured") : Optional.empty();
      case BEDROCK -> p.cloud().awsAccessKeyId().isEmpty() || p.cloud().awsSecretAccessKey().isEmpty()
          ? Optional.of("no AWS credentials are configured") : Optional.empty();
      case VERTEX -> vertexKeyProblem(p);
      case OPENAI, MOCK -> Optional.empty();
    };
  }

  private Optional<String> vertexKeyProblem(ProviderConfig p) {
    if (p.cloud().vertex() == null || p.cloud().vertex().serviceAccountKey() == null) {
      return Optional.of("no service-account key is configured");
    }
    try {
      vertexKey(p);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of("the service-account key is not usable: " + e.getMessage());
    }
  }

  /** The service-account key of a Vertex provider; call only when {@link #missingCredentials} found none missing. */
  ServiceAccountKey vertexKey(ProviderConfig p) {
    return ServiceAccountKey.parse(json, p.cloud().vertex().serviceAccountKey().value()
        .getBytes(StandardCharsets.UTF_8));
  }

  /** The authorizer the gateway itself uses for {@code p}; call only when no credentials are missing. */
  RequestAuthorizer authorizer(ProviderConfig p) {
    CloudSettings cloud = p.cloud();
    return switch (p.type()) {
      case OPENAI -> p.apiKey().filter(k -> !k.isEmpty()).<RequestAuthorizer>map(BearerKeyAuthorizer::new)
          .orElse((host, request) -> Future.succeededFuture(Map.of()));
      case AZURE -> new AzureKeyAuthorizer(p.apiKey().orElseThrow());
      case ANTHROPIC -> new AnthropicKeyAuthorizer(p.name(), p.apiKey().orElseThrow());
      case GEMINI -> new GeminiKeyAuthorizer(p.name(), p.apiKey().orElseThrow());
      case BEDROCK -> new SigV4Authorizer(p.name(), new AwsCredentials(cloud.awsAccessKeyId().orElseThrow(),
          cloud.awsSecretAccessKey().orElseThrow(), cloud.awsSessionToken().orElse(null)), cloud.region(),
          UpstreamAddress.of(p.baseUrl()).orElseThrow(), clock);
      case VERTEX -> throw new IllegalArgumentException("vertex probes take a token source: see ProviderProbe");
      case MOCK -> throw new IllegalArgumentException("the mock provider is not probed over HTTP");
    };
  }

  private static ProviderHttpRequest get(String pathAndQuery, Map<String, String> headers) {
    return new ProviderHttpRequest("GET", pathAndQuery, headers, Buffer.buffer());
  }

  /** A well-formed Converse body, so that the model id is the only thing wrong with the request. */
  private Buffer bedrockBody() {
    ObjectNode body = json.createObjectNode();
    ObjectNode message = body.putArray("messages").addObject();
    message.put("role", "user");
    message.putArray("content").addObject().put("text", "ping");
    body.putObject("inferenceConfig").put("maxTokens", 1);
    try {
      return Buffer.buffer(json.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
