package dev.tollgate.provider.bedrock;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a canonical request as a Converse / ConverseStream call. Every refusal names the caller's
 * field; the choices for what Converse lacks are listed in the package documentation.
 */
final class ConverseRequestEncoder {
  /** Caller fields that only steer the caller's own platform (storage, tiers, tracing), not the answer. */
  /** Bedrock's requestMetadata values are restricted to these characters, at most 256 of them. */
  private static final Pattern METADATA_VALUE = Pattern.compile("[A-Za-z0-9 _.:@=+,/#$-]{1,256}");
  private static final Map<String, String> IMAGE_FORMATS = Map.of(
      "image/png", "png", "image/jpeg", "jpeg", "image/jpg", "jpeg", "image/gif", "gif", "image/webp", "webp");

  private final ObjectMapper json;

  ConverseRequestEncoder(ObjectMapper json) {
    this.json = json;
  }

  ProviderHttpRequest encode(ChatRequest request, String upstreamModel) {
    if (request.candidates() != 1) {
      throw new TranslationException("n", "Bedrock Converse returns exactly one answer per call, not "
          + request.candidates());
    }
    ModelFamily family = ModelFamily.of(upstreamModel);
    ObjectNode body = json.createObjectNode();
    if (request.system().stream().anyMatch(t -> !t.text().isEmpty())) {
      ArrayNode system = body.putArray("system");
      request.system().stream().filter(t -> !t.text().isEmpty())
          .forEach(t -> system.addObject().put("text", t.text()));
    }
    body.set("messages", messages(request.messages()));
    ObjectNode inference = inferenceConfig(request);
    if (!inference.isEmpty()) {
      body.set("inferenceConfig", inference);
    }
    ObjectNode additional = json.createObjectNode();
    if (request.topK() != null) {
      family.putTopK(additional, request.topK(), upstreamModel);
    }
    extensions(request.extensions(), family, additional, upstreamModel);
    if (!additional.isEmpty()) {
      body.set("additionalModelRequestFields", additional);
    }
    ObjectNode toolConfig = toolConfig(request);
    if (toolConfig != null) {
      body.set("toolConfig", toolConfig);
    }
    ObjectNode outputConfig = outputConfig(request.responseFormat());
    if (outputConfig != null) {
      body.set("outputConfig", outputConfig);
    }
    if (request.user() != null) {
      if (!METADATA_VALUE.matcher(request.user()).matches()) {
        throw new TranslationException("user", "Bedrock carries the end-user id in requestMetadata, which "
            + "takes 1-256 characters from letters, digits, spaces and _.:@=+,/#$-");
      }
      body.putObject("requestMetadata").put("user", request.user());
    }
    String path = "/model/" + percentEncode(upstreamModel) + (request.stream() ? "/converse-stream" : "/converse");
    Map<String, String> headers = Map.of(
        "Content-Type", "application/json",
        "Accept", request.stream() ? "application/vnd.amazon.eventstream" : "application/json");
    return new ProviderHttpRequest("POST", path, headers, write(body));
  }

  private ArrayNode messages(List<Message> messages) {
    ArrayNode out = json.createArrayNode();
    String lastRole = null;
    ArrayNode lastContent = null;
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      List<ObjectNode> blocks = new ArrayList<>(m.parts().size());
      for (int j = 0; j < m.parts().size(); j++) {
        // Converse rejects blank text blocks, and an empty text says nothing: leave it out (OpenAI
        // callers send content "" beside tool calls).
        if (!(m.parts().get(j) instanceof Part.Text t && t.text().isEmpty())) {
          blocks.add(block(m.role(), m.parts().get(j), "messages[" + i + "].content[" + j + "]"));
        }
      }
      if (blocks.isEmpty()) {
        continue;
      }
      String role = m.role() == Role.ASSISTANT ? "assistant" : "user";
      // Converse wants turns that alternate; tool results ride in user turns, so a TOOL message
      // after a USER one (or several TOOL messages in a row) join one turn.
      if (!role.equals(lastRole)) {
        ObjectNode turn = out.addObject();
        turn.put("role", role);
        lastContent = turn.putArray("content");
        lastRole = role;
      }
      lastContent.addAll(blocks);
    }
    return out;
  }

  private ObjectNode block(Role role, Part part, String path) {
    ObjectNode block = json.createObjectNode();
    switch (part) {
      case Part.Text t -> block.put("text", t.text());
      case Part.Image image -> block.set("image", image(image, path));
      case Part.ToolCall call -> {
        if (role != Role.ASSISTANT) {
          throw new TranslationException(path, "only assistant messages can hold tool calls");
        }
        ObjectNode use = block.putObject("toolUse");
        use.put("toolUseId", call.id());
        use.put("name", call.name());
        use.set("input", arguments(call.argumentsJson(), path));
      }
      case Part.ToolResult result -> {
        if (role == Role.ASSISTANT) {
          throw new TranslationException(path, "tool results belong in user or tool messages");
        }
        ObjectNode tr = block.putObject("toolResult");
        tr.put("toolUseId", result.toolCallId());
        ArrayNode content = tr.putArray("content");
        for (int k = 0; k < result.content().size(); k++) {
          String at = path + ".content[" + k + "]";
          switch (result.content().get(k)) {
            case Part.Text t -> content.addObject().put("text", t.text());
            case Part.Image image -> content.addObject().set("image", image(image, at));
            default -> throw new TranslationException(at, "a Converse tool result holds only text and images");
          }
        }
        // Converse's status defaults to success, and only some models accept the field at all:
        // send it only when it says something.
        if (result.isError()) {
          tr.put("status", "error");
        }
      }
      case Part.Reasoning reasoning -> {
        if (role != Role.ASSISTANT) {
          throw new TranslationException(path, "only assistant messages can hold reasoning");
        }
        ObjectNode rc = block.putObject("reasoningContent");
        if (reasoning.redacted() != null) {
          rc.put("redactedContent", reasoning.redacted());
        } else {
          ObjectNode text = rc.putObject("reasoningText");
          text.put("text", reasoning.text());
          if (reasoning.signature() != null) {
            text.put("signature", reasoning.signature());
          }
        }
      }
    }
    return block;
  }

  private ObjectNode image(Part.Image image, String path) {
    String mediaType = image.mediaType();
    String data = image.base64();
    if (image.url() != null) {
      String url = image.url();
      int comma = url.indexOf(',');
      if (!url.regionMatches(true, 0, "data:", 0, 5) || comma < 0
          || !url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
        throw new TranslationException(path, "Bedrock Converse takes images as bytes, not URLs: "
            + "send the image inline (base64)");
      }
      mediaType = url.substring(5, comma - ";base64".length());
      data = url.substring(comma + 1);
    }
    String format = mediaType == null ? null : IMAGE_FORMATS.get(mediaType.toLowerCase(Locale.ROOT));
    if (format == null) {
      throw new TranslationException(path, "Bedrock Converse accepts png, jpeg, gif and webp images, not "
          + mediaType);
    }
    ObjectNode node = json.createObjectNode();
    node.put("format", format);
    node.putObject("source").put("bytes", data);
    return node;
  }

  private JsonNode arguments(String argumentsJson, String path) {
    if (argumentsJson == null || argumentsJson.isBlank()) {
      return json.createObjectNode();
    }
    JsonNode input = parse(argumentsJson, path + ".arguments");
    if (!input.isObject()) {
      throw new TranslationException(path + ".arguments", "tool-call arguments must be a JSON object");
    }
    return input;
  }

  private ObjectNode inferenceConfig(ChatRequest request) {
    ObjectNode config = json.createObjectNode();
    if (request.maxTokens() != null) {
      config.put("maxTokens", request.maxTokens());
    }
    if (request.temperature() != null) {
      config.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      config.put("topP", request.topP());
    }
    if (!request.stop().isEmpty()) {
      ArrayNode stop = config.putArray("stopSequences");
      request.stop().forEach(stop::add);
    }
    return config;
  }

  private void extensions(Extensions extensions, ModelFamily family, ObjectNode additional, String upstreamModel) {
    for (var e : extensions.sorted().entrySet()) {
      String field = e.getKey();
      if (extensions.platformOnly(field)) {
        continue;
      }
      if (extensions.from(Extensions.Dialect.ANTHROPIC) && field.equals("thinking")
          && family == ModelFamily.ANTHROPIC) {
        // Claude on Bedrock takes Anthropic's own thinking object through additionalModelRequestFields.
        additional.set("thinking", parse(e.getValue(), field));
        continue;
      }
      throw extensions.unsupported(field, "Bedrock Converse for " + upstreamModel);
    }
  }

  private ObjectNode toolConfig(ChatRequest request) {
    ToolChoice choice = request.toolChoice();
    if (request.tools().isEmpty()) {
      if (choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Named) {
        throw new TranslationException("tool_choice", "asks for a tool call but the request declares no tools");
      }
      return null;
    }
    if (request.parallelToolCalls() != null && !request.parallelToolCalls()) {
      throw new TranslationException("parallel_tool_calls", "Bedrock Converse cannot forbid parallel tool calls");
    }
    if (choice instanceof ToolChoice.None) {
      // Converse has no "none": leaving the tools out is exact, but only while no earlier turn used
      // them, because Converse rejects toolUse/toolResult blocks without a toolConfig.
      if (usesTools(request.messages())) {
        throw new TranslationException("tool_choice", "Bedrock Converse has no 'none' tool choice, and a "
            + "conversation that already holds tool calls must declare its tools");
      }
      return null;
    }
    ObjectNode config = json.createObjectNode();
    ArrayNode tools = config.putArray("tools");
    for (int i = 0; i < request.tools().size(); i++) {
      Tool tool = request.tools().get(i);
      if (Boolean.TRUE.equals(tool.strict())) {
        throw new TranslationException("tools[" + i + "].strict",
            "Bedrock's Converse API cannot guarantee that tool arguments match the schema exactly (strict tools)");
      }
      ObjectNode spec = tools.addObject().putObject("toolSpec");
      spec.put("name", tool.name());
      if (tool.description() != null && !tool.description().isEmpty()) {
        spec.put("description", tool.description());
      }
      JsonNode schema = tool.parametersJson() == null
          ? json.createObjectNode().put("type", "object").set("properties", json.createObjectNode())
          : parse(tool.parametersJson(), "tools[" + i + "].parameters");
      spec.putObject("inputSchema").set("json", schema);
    }
    switch (choice) {
      case null -> { }
      case ToolChoice.Auto a -> config.putObject("toolChoice").putObject("auto");
      case ToolChoice.Required r -> config.putObject("toolChoice").putObject("any");
      case ToolChoice.Named named -> {
        if (request.tools().stream().noneMatch(t -> t.name().equals(named.name()))) {
          throw new TranslationException("tool_choice", "names '" + named.name() + "', which is not among the tools");
        }
        config.putObject("toolChoice").putObject("tool").put("name", named.name());
      }
      case ToolChoice.None n -> throw new IllegalStateException("handled above");
    }
    return config;
  }

  private static boolean usesTools(List<Message> messages) {
    return messages.stream().flatMap(m -> m.parts().stream())
        .anyMatch(p -> p instanceof Part.ToolCall || p instanceof Part.ToolResult);
  }

  private ObjectNode outputConfig(ResponseFormat format) {
    return switch (format) {
      case null -> null;
      case ResponseFormat.Text t -> null;
      case ResponseFormat.JsonObject j -> throw new TranslationException("response_format",
          "Bedrock Converse constrains output only to a JSON schema; JSON mode without a schema has no equivalent");
      case ResponseFormat.JsonSchema schema -> {
        parse(schema.schemaJson(), "response_format.json_schema.schema");
        // Converse always enforces the schema, which is at least what a non-strict caller asked for.
        ObjectNode config = json.createObjectNode();
        ObjectNode textFormat = config.putObject("textFormat");
        textFormat.put("type", "json_schema");
        ObjectNode definition = textFormat.putObject("structure").putObject("jsonSchema");
        definition.put("schema", schema.schemaJson());
        if (schema.name() != null) {
          definition.put("name", schema.name());
        }
        yield config;
      }
    };
  }

  private JsonNode parse(String text, String field) {
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      throw new TranslationException(field, "not valid JSON: " + e.getOriginalMessage());
    }
  }

  private Buffer write(ObjectNode body) {
    try {
      return Buffer.buffer(json.writeValueAsBytes(body));
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

  /** RFC 3986 percent-encoding of one path segment: everything but unreserved characters. */
  static String percentEncode(String segment) {
    StringBuilder out = new StringBuilder(segment.length() + 8);
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * Which model-specific dialect {@code additionalModelRequestFields} speaks, read from the model id
   * (foundation-model ids, cross-region profile ids like {@code us.anthropic...}, or ARNs naming
   * either). Application inference profile ARNs are opaque and fall to {@link #OTHER}.
   */
  enum ModelFamily {
    ANTHROPIC,
    NOVA,
    OTHER;

    static ModelFamily of(String modelId) {
      String name = modelId.substring(modelId.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      if (name.startsWith("anthropic.") || name.contains(".anthropic.")) {
        return ANTHROPIC;
      }
      if (name.startsWith("amazon.nova") || name.contains(".amazon.nova")) {
        return NOVA;
      }
      return OTHER;
    }

    void putTopK(ObjectNode additional, int topK, String modelId) {
      switch (this) {
        case ANTHROPIC -> additional.put("top_k", topK);
        case NOVA -> additional.putObject("inferenceConfig").put("topK", topK);
        case OTHER -> throw new TranslationException("top_k", "Converse has no common top_k; Tollgate knows "
            + "where Anthropic and Amazon Nova models take it, not " + modelId);
      }
    }
  }
}
