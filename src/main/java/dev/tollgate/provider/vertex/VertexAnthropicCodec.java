package dev.tollgate.provider.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.provider.ProviderCodec;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Anthropic's Claude models on Vertex AI: the Messages API body and answers, at
 * {@code /v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict}
 * ({@code :streamRawPredict} when streaming). The body is what {@link AnthropicProviderCodec} writes,
 * less {@code model} (it is in the path) and plus {@code "anthropic_version": "vertex-2023-10-16"},
 * which replaces the {@code anthropic-version} header. Answers, streams and errors are Anthropic's;
 * errors from Vertex's own front end (quota, permissions, unknown model) come in Google's shape,
 * whose {@code error.message} the Anthropic decoder reads too, and are classified by status.
 * Thread-safe: immutable.
 */
public final class VertexAnthropicCodec implements ProviderCodec {
  static final String VERSION = "vertex-2023-10-16";
  /** A path segment: Vertex names Claude versions with '@' ({@code claude-sonnet-4@20250514}). */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]*");

  private final ObjectMapper json;
  private final AnthropicProviderCodec anthropic;
  private final String prefix;

  public VertexAnthropicCodec(ObjectMapper json, AnthropicProviderCodec anthropic, String project, String location) {
    this.json = Objects.requireNonNull(json, "json");
    this.anthropic = Objects.requireNonNull(anthropic, "anthropic");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(location, "location");
    if (!SEGMENT.matcher(project).matches() || project.contains("@")
        || !SEGMENT.matcher(location).matches() || location.contains("@")) {
      throw new IllegalArgumentException("project and location must be single path segments: " + project + ", "
          + location);
    }
    this.prefix = "/v1/projects/" + project + "/locations/" + location + "/publishers/anthropic/models/";
  }

  @Override
  public ProviderHttpRequest encode(ChatRequest request, String upstreamModel) {
    if (upstreamModel == null || !SEGMENT.matcher(upstreamModel).matches()) {
      throw new TranslationException("model", "'" + upstreamModel
          + "' is not a Vertex model name (letters, digits, '.', '_', '@' and '-' only)");
    }
    ProviderHttpRequest messages = anthropic.encode(request, upstreamModel);
    ObjectNode body = body(messages.body());
    body.remove("model");
    body.put("anthropic_version", VERSION);
    Map<String, String> headers = new LinkedHashMap<>();
    messages.headers().forEach((name, value) -> {
      if (!name.toLowerCase(Locale.ROOT).equals("anthropic-version")) {
        headers.put(name, value);
      }
    });
    String path = prefix + upstreamModel + (request.stream() ? ":streamRawPredict" : ":rawPredict");
    try {
      return new ProviderHttpRequest("POST", path, headers, Buffer.buffer(json.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /** Vertex takes Anthropic's beta flags in the body ({@code anthropic_beta}), not as a header. */
  @Override
  public ProviderHttpRequest withCallerHeaders(ProviderHttpRequest request, Map<String, String> headers) {
    String beta = headers.get("anthropic-beta");
    if (beta == null || beta.isBlank()) {
      return request;
    }
    ObjectNode body = body(request.body());
    var flags = body.putArray("anthropic_beta");
    for (String flag : beta.split(",")) {
      if (!flag.isBlank()) {
        flags.add(flag.trim());
      }
    }
    try {
      return new ProviderHttpRequest(request.method(), request.pathAndQuery(), request.headers(),
          Buffer.buffer(json.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  private ObjectNode body(Buffer written) {
    JsonNode root;
    try {
      root = json.readTree(written.getBytes());
    } catch (IOException e) {
      throw new IllegalStateException("the Anthropic codec wrote a body that is not JSON", e);
    }
    if (!(root instanceof ObjectNode object)) {
      throw new IllegalStateException("the Anthropic codec wrote a body that is not a JSON object");
    }
    return object;
  }

  @Override
  public ChatResponse decode(Buffer body) {
    return anthropic.decode(body);
  }

  @Override
  public StreamDecoder streamDecoder() {
    return anthropic.streamDecoder();
  }

  @Override
  public ProviderError decodeError(int status, MultiMap headers, Buffer body) {
    return anthropic.decodeError(status, headers, body);
  }
}
