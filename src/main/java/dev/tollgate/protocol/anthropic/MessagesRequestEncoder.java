package dev.tollgate.protocol.anthropic;

import static dev.tollgate.protocol.anthropic.Fields.index;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A canonical request as an Anthropic Messages request body: system hoisted to {@code system},
 * TOOL messages as user turns of tool_result blocks, consecutive turns of one role merged (Anthropic
 * wants user and assistant to alternate). Thread-safe.
 */
final class MessagesRequestEncoder {
  private final ObjectMapper json;
  private final Blocks blocks;
  private final int defaultMaxTokens;

  MessagesRequestEncoder(ObjectMapper json, int defaultMaxTokens) {
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens: " + defaultMaxTokens + " (expected: >= 1)");
    }
    this.json = json;
    this.blocks = new Blocks(json);
    this.defaultMaxTokens = defaultMaxTokens;
  }

  ObjectNode encode(ChatRequest request, String model) {
    if (request.candidates() != 1) {
      throw new TranslationException("n", "Anthropic answers with exactly one candidate, "
          + request.candidates() + " were asked for");
    }
    if (request.responseFormat() instanceof ResponseFormat.JsonObject) {
      throw new TranslationException("response_format",
          "Anthropic has no JSON mode without a schema; ask for a json_schema response format instead");
    }
    ObjectNode body = json.createObjectNode();
    body.put("model", model);
    body.put("max_tokens", request.maxTokens() == null ? defaultMaxTokens : request.maxTokens());
    if (request.system().size() == 1) {
      body.put("system", request.system().getFirst().text());
    } else if (!request.system().isEmpty()) {
      ArrayNode system = body.putArray("system");
      request.system().forEach(t -> system.addObject().put("type", "text").put("text", t.text()));
    }
    body.set("messages", messages(request.messages()));
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.topK() != null) {
      body.put("top_k", request.topK());
    }
    if (!request.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop_sequences");
      request.stop().forEach(stop::add);
    }
    tools(request, body);
    if (request.stream()) {
      body.put("stream", true);
    }
    if (request.user() != null) {
      body.putObject("metadata").put("user_id", request.user());
    }
    extensions(request.extensions(), body);
    if (request.responseFormat() instanceof ResponseFormat.JsonSchema schema) {
      outputFormat(body, schema);
    }
    return body;
  }

  /**
   * Anthropic's own extensions are Messages parameters and go on as they came, so a new API field
   * works without a gateway release; one that would overwrite a field written here is refused.
   * Another format's extensions are dropped when they concern only the caller's platform and refused
   * by name otherwise.
   */
  private void extensions(Extensions extensions, ObjectNode body) {
    for (Map.Entry<String, String> e : extensions.sorted().entrySet()) {
      String field = e.getKey();
      if (!extensions.from(Extensions.Dialect.ANTHROPIC)) {
        if (!extensions.platformOnly(field)) {
          throw extensions.unsupported(field, "the Anthropic Messages API");
        }
      } else if (body.has(field)) {
        throw new TranslationException(field, "'" + field + "' conflicts with a field the gateway writes");
      } else {
        body.set(field, extension(field, e.getValue()));
      }
    }
  }

  /**
   * A JSON schema response format as Anthropic's JSON outputs. Nothing the caller asked for is lost:
   * the schema name is only a label, and Anthropic enforces every schema, which satisfies a
   * non-strict request too.
   */
  private void outputFormat(ObjectNode body, ResponseFormat.JsonSchema schema) {
    JsonNode existing = body.get("output_config");
    ObjectNode config;
    if (existing == null) {
      config = body.putObject("output_config");
    } else if (existing instanceof ObjectNode o && !o.has("format")) {
      config = o;
    } else {
      throw new TranslationException("response_format", "conflicts with the output_config given");
    }
    ObjectNode format = config.putObject("format").put("type", "json_schema");
    try {
      JsonNode tree = json.readTree(schema.schemaJson());
      if (!(tree instanceof ObjectNode)) {
        throw new TranslationException("response_format.json_schema.schema", "the schema must be a JSON object");
      }
      format.set("schema", tree);
    } catch (JacksonException e) {
      throw new TranslationException("response_format.json_schema.schema", "not valid JSON: " + e.getOriginalMessage());
    }
  }

  private JsonNode extension(String field, String value) {
    try {
      return json.readTree(value);
    } catch (JacksonException e) {
      throw new TranslationException(field, "not valid JSON: " + e.getOriginalMessage());
    }
  }

  private record Turn(String role, List<ObjectNode> blocks) {}

  private ArrayNode messages(List<Message> messages) {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String role = m.role() == Role.ASSISTANT ? "assistant" : "user";
      List<ObjectNode> blocks = blocks(m, index("messages", i));
      if (!turns.isEmpty() && turns.getLast().role().equals(role)) {
        turns.getLast().blocks().addAll(blocks);
      } else {
        turns.add(new Turn(role, new ArrayList<>(blocks)));
      }
    }
    ArrayNode out = json.createArrayNode();
    for (Turn turn : turns) {
      ObjectNode message = out.addObject();
      message.put("role", turn.role());
      message.set("content", content(turn.blocks()));
    }
    return out;
  }

  /** A turn of only one text block is written as a string, as callers usually write it. */
  private JsonNode content(List<ObjectNode> turn) {
    if (turn.size() == 1 && turn.getFirst().get("type").asText().equals("text")) {
      return turn.getFirst().get("text");
    }
    ArrayNode content = json.createArrayNode();
    for (ObjectNode block : turn) {
      // Anthropic refuses empty text blocks; an empty text carries nothing.
      if (!(block.get("type").asText().equals("text") && block.get("text").asText().isEmpty())) {
        content.add(block);
      }
    }
    if (content.isEmpty()) {
      return json.getNodeFactory().textNode("");
    }
    return content;
  }

  private List<ObjectNode> blocks(Message m, String path) {
    List<ObjectNode> out = new ArrayList<>(m.parts().size());
    for (int j = 0; j < m.parts().size(); j++) {
      Part part = m.parts().get(j);
      String partPath = index(Fields.path(path, "content"), j);
      boolean allowed = switch (m.role()) {
        case USER -> part instanceof Part.Text || part instanceof Part.Image || part instanceof Part.ToolResult;
        case ASSISTANT -> part instanceof Part.Text || part instanceof Part.ToolCall || part instanceof Part.Reasoning;
        case TOOL -> part instanceof Part.ToolResult;
      };
      if (!allowed) {
        throw new TranslationException(partPath, "Anthropic cannot carry " + describe(part) + " in a "
            + m.role().name().toLowerCase(java.util.Locale.ROOT) + " message");
      }
      out.add(blocks.write(part, partPath));
    }
    return out;
  }

  private static String describe(Part part) {
    return switch (part) {
      case Part.Text _ -> "text";
      case Part.Image _ -> "an image";
      case Part.ToolCall _ -> "a tool call";
      case Part.ToolResult _ -> "a tool result";
      case Part.Reasoning _ -> "reasoning";
    };
  }

  private void tools(ChatRequest request, ObjectNode body) {
    if (request.tools().isEmpty()) {
      // Anthropic refuses tool_choice without tools; without tools "none" and "auto" mean the same.
      if (request.toolChoice() instanceof ToolChoice.Required || request.toolChoice() instanceof ToolChoice.Named) {
        throw new TranslationException("tool_choice", "a tool must be called but no tools were given");
      }
      return;
    }
    ArrayNode tools = body.putArray("tools");
    for (int i = 0; i < request.tools().size(); i++) {
      Tool tool = request.tools().get(i);
      ObjectNode t = tools.addObject();
      t.put("name", tool.name());
      if (tool.description() != null) {
        t.put("description", tool.description());
      }
      t.set("input_schema", schema(tool.parametersJson(), index("tools", i)));
      if (tool.strict() != null) {
        t.put("strict", tool.strict());
      }
    }
    if (request.toolChoice() == null && request.parallelToolCalls() == null) {
      return;
    }
    ObjectNode choice = body.putObject("tool_choice");
    switch (request.toolChoice()) {
      case null -> choice.put("type", "auto");
      case ToolChoice.Auto _ -> choice.put("type", "auto");
      case ToolChoice.None _ -> choice.put("type", "none");
      case ToolChoice.Required _ -> choice.put("type", "any");
      case ToolChoice.Named named -> choice.put("type", "tool").put("name", named.name());
    }
    if (request.parallelToolCalls() != null) {
      choice.put("disable_parallel_tool_use", !request.parallelToolCalls());
    }
  }

  private JsonNode schema(String parametersJson, String path) {
    if (parametersJson == null) {
      // Anthropic requires a schema; a tool without parameters takes an empty object.
      ObjectNode empty = json.createObjectNode().put("type", "object");
      empty.putObject("properties");
      return empty;
    }
    try {
      JsonNode schema = json.readTree(parametersJson);
      if (schema instanceof ObjectNode) {
        return schema;
      }
      throw new TranslationException(Fields.path(path, "parameters"), "the schema must be a JSON object");
    } catch (JacksonException e) {
      throw new TranslationException(Fields.path(path, "parameters"), "not valid JSON: " + e.getOriginalMessage());
    }
  }
}
