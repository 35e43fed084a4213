package dev.tollgate.protocol.anthropic;

import static dev.tollgate.protocol.anthropic.Fields.get;
import static dev.tollgate.protocol.anthropic.Fields.index;
import static dev.tollgate.protocol.anthropic.Fields.object;
import static dev.tollgate.protocol.anthropic.Fields.path;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An inbound Anthropic Messages request body ({@code POST /v1/messages}) as a canonical
 * {@link ChatRequest}. Every refusal is a {@link TranslationException} naming the caller's field.
 * Thread-safe.
 */
public final class AnthropicRequestDecoder {
  /** Top-level fields with a canonical meaning; every other one is kept in {@code extensions}. */
  private static final Set<String> MAPPED = Set.of("model", "max_tokens", "system", "messages", "tools",
      "tool_choice", "temperature", "top_p", "top_k", "stop_sequences", "stream", "metadata", "output_config");
  /**
   * The schema name given to an {@code output_config.format} schema, which Anthropic does not name
   * but formats like OpenAI's require.
   */
  public static final String SCHEMA_NAME = "response";
  private static final Set<String> TOOL_FIELDS = Set.of("type", "name", "description", "input_schema", "cache_control", "strict");
  /** The root of the body, for errors about the body as a whole. */
  static final String BODY = "body";

  private final ObjectMapper json;
  private final Blocks blocks;

  public AnthropicRequestDecoder(ObjectMapper json) {
    this.json = json;
    this.blocks = new Blocks(json);
  }

  /** The request in {@code body}; throws {@link TranslationException} naming the first bad field. */
  public ChatRequest decode(Buffer body) {
    return decode(body == null ? null : body.getBytes());
  }

  /** The request in {@code body}; throws {@link TranslationException} naming the first bad field. */
  public ChatRequest decode(byte[] body) {
    return decode(object(parse(body), BODY));
  }

  /** The request in an already parsed body. */
  public ChatRequest decode(ObjectNode root) {
    String model = Fields.requiredString(root, "model", "");
    if (model.isBlank()) {
      throw new TranslationException("model", "must not be empty");
    }
    Integer maxTokens = Fields.optionalInt(root, "max_tokens", "");
    if (maxTokens == null) {
      throw Fields.missing("max_tokens");
    }
    if (maxTokens < 1) {
      throw new TranslationException("max_tokens", "must be at least 1, got " + maxTokens);
    }
    ObjectNode toolChoice = get(root, "tool_choice") == null ? null : object(root.get("tool_choice"), "tool_choice");
    Boolean stream = Fields.optionalBoolean(root, "stream", "");
    List<Part.Text> system = new ArrayList<>(systemText(get(root, "system"), "system"));
    List<Message> messages = messages(root, system);
    return new ChatRequest(
        model,
        system,
        messages,
        maxTokens,
        Fields.optionalNumber(root, "temperature", ""),
        Fields.optionalNumber(root, "top_p", ""),
        Fields.optionalInt(root, "top_k", ""),
        stopSequences(get(root, "stop_sequences")),
        tools(get(root, "tools")),
        toolChoice == null ? null : toolChoice(toolChoice),
        toolChoice == null ? null : parallelToolCalls(toolChoice),
        responseFormat(get(root, "output_config")),
        1,
        Boolean.TRUE.equals(stream),
        user(get(root, "metadata")),
        Extensions.anthropic(extensions(root)));
  }

  private JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new TranslationException(BODY, "the body is empty");
    }
    try (JsonParser parser = json.createParser(body)) {
      // Two values for one field would be read one way here and maybe another by the caller.
      parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      JsonNode root = json.readTree(parser);
      if (root == null) {
        throw new TranslationException(BODY, "the body is empty");
      }
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw new TranslationException(BODY, "unexpected content after the JSON object");
      }
      return root;
    } catch (JacksonException e) {
      throw new TranslationException(BODY, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new TranslationException(BODY, "not valid JSON: " + e.getMessage());
    }
  }

  /** System text from {@code node} at {@code field} (top-level system or a system message's content). */
  private static List<Part.Text> systemText(JsonNode node, String field) {
    if (node == null) {
      return List.of();
    }
    if (node.isTextual()) {
      return List.of(new Part.Text(node.textValue()));
    }
    if (!(node instanceof ArrayNode items)) {
      throw Fields.wrongType(field, "a string or an array of text blocks", node);
    }
    List<Part.Text> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String path = index(field, i);
      ObjectNode block = object(items.get(i), path);
      String type = Blocks.type(block, path);
      if (!type.equals("text")) {
        throw Blocks.notAllowed(path, type, "system");
      }
      Fields.onlyKnown(block, Set.of("type", "text", "cache_control"), path);
      out.add(new Part.Text(Fields.requiredString(block, "text", path)));
    }
    return out;
  }

  /**
   * The conversation. Leading {@code system} messages join {@code system}: Anthropic reads them right
   * after the top-level system prompt. Later ones (mid-conversation instructions) have no canonical
   * place and are refused.
   */
  private List<Message> messages(ObjectNode root, List<Part.Text> system) {
    JsonNode node = get(root, "messages");
    if (node == null) {
      throw Fields.missing("messages");
    }
    ArrayNode items = Fields.array(node, "messages");
    if (items.isEmpty()) {
      throw new TranslationException("messages", "at least one message is required");
    }
    List<Message> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String path = index("messages", i);
      ObjectNode message = object(items.get(i), path);
      Fields.onlyKnown(message, Set.of("role", "content"), path);
      String role = Fields.requiredString(message, "role", path);
      JsonNode content = get(message, "content");
      if (content == null) {
        throw Fields.missing(path(path, "content"));
      }
      switch (role) {
        case "system" -> {
          if (!out.isEmpty()) {
            throw new TranslationException(path(path, "role"),
                "a system message after the conversation began cannot be translated; put it in 'system'");
          }
          system.addAll(systemText(content, path(path, "content")));
        }
        case "user" -> userTurn(content, path, out);
        case "assistant" -> out.add(new Message(Role.ASSISTANT, assistantParts(content, path)));
        default -> throw new TranslationException(path(path, "role"),
            "unknown role '" + role + "' (expected user, assistant or system)");
      }
    }
    if (out.isEmpty()) {
      throw new TranslationException("messages", "at least one user or assistant message is required");
    }
    return out;
  }

  /**
   * One Anthropic user turn becomes canonical messages in the same order: runs of tool_result
   * blocks become TOOL messages, runs of everything else USER messages.
   */
  private void userTurn(JsonNode content, String path, List<Message> out) {
    if (content.isTextual()) {
      out.add(Message.user(content.textValue()));
      return;
    }
    ArrayNode items = contentArray(content, path);
    List<Part> run = new ArrayList<>();
    Role runRole = null;
    for (int j = 0; j < items.size(); j++) {
      String blockPath = index(path(path, "content"), j);
      Part part = blocks.readRequestBlock(items.get(j), blockPath);
      Role role = switch (part) {
        case Part.ToolResult _ -> Role.TOOL;
        case Part.Text _ -> Role.USER;
        case Part.Image _ -> Role.USER;
        case Part.ToolCall _ -> throw Blocks.notAllowed(blockPath, "tool_use", "a user turn");
        case Part.Reasoning r -> throw Blocks.notAllowed(blockPath, r.redacted() == null ? "thinking"
            : "redacted_thinking", "a user turn");
      };
      if (runRole != null && runRole != role) {
        out.add(new Message(runRole, run));
        run = new ArrayList<>();
      }
      runRole = role;
      run.add(part);
    }
    // An empty block list is still a turn; Anthropic decides whether it accepts it.
    out.add(new Message(runRole == null ? Role.USER : runRole, run));
  }

  private List<Part> assistantParts(JsonNode content, String path) {
    if (content.isTextual()) {
      return List.of(new Part.Text(content.textValue()));
    }
    ArrayNode items = contentArray(content, path);
    List<Part> parts = new ArrayList<>(items.size());
    for (int j = 0; j < items.size(); j++) {
      String blockPath = index(path(path, "content"), j);
      Part part = blocks.readRequestBlock(items.get(j), blockPath);
      switch (part) {
        case Part.ToolResult _ -> throw Blocks.notAllowed(blockPath, "tool_result", "an assistant turn");
        case Part.Image _ -> throw Blocks.notAllowed(blockPath, "image", "an assistant turn");
        default -> parts.add(part);
      }
    }
    return parts;
  }

  private static ArrayNode contentArray(JsonNode content, String path) {
    if (content instanceof ArrayNode a) {
      return a;
    }
    throw Fields.wrongType(path(path, "content"), "a string or an array of content blocks", content);
  }

  private static List<String> stopSequences(JsonNode node) {
    if (node == null) {
      return List.of();
    }
    ArrayNode items = Fields.array(node, "stop_sequences");
    List<String> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(Fields.string(items.get(i), index("stop_sequences", i)));
    }
    return out;
  }

  private static List<Tool> tools(JsonNode node) {
    if (node == null) {
      return List.of();
    }
    ArrayNode items = Fields.array(node, "tools");
    List<Tool> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String path = index("tools", i);
      ObjectNode tool = object(items.get(i), path);
      String type = Fields.optionalString(tool, "type", path);
      if (type != null && !type.equals("custom")) {
        // Server tools (web_search_..., bash_..., text_editor_...) run inside Anthropic only.
        throw new TranslationException(path(path, "type"), "tool type '" + type + "' is not supported");
      }
      Fields.onlyKnown(tool, TOOL_FIELDS, path);
      String name = Fields.requiredString(tool, "name", path);
      String description = Fields.optionalString(tool, "description", path);
      JsonNode schema = get(tool, "input_schema");
      if (schema == null) {
        throw Fields.missing(path(path, "input_schema"));
      }
      JsonNode strict = get(tool, "strict");
      if (strict != null && !strict.isBoolean()) {
        throw new TranslationException(path(path, "strict"), path(path, "strict") + ": expected a boolean");
      }
      out.add(new Tool(name, description, object(schema, path(path, "input_schema")).toString(),
          strict == null ? null : strict.booleanValue()));
    }
    return out;
  }

  private static ToolChoice toolChoice(ObjectNode choice) {
    Fields.onlyKnown(choice, Set.of("type", "name", "disable_parallel_tool_use"), "tool_choice");
    String type = Fields.requiredString(choice, "type", "tool_choice");
    return switch (type) {
      case "auto" -> ToolChoice.AUTO;
      case "any" -> ToolChoice.REQUIRED;
      case "none" -> ToolChoice.NONE;
      case "tool" -> new ToolChoice.Named(Fields.requiredString(choice, "name", "tool_choice"));
      default -> throw new TranslationException("tool_choice.type",
          "unknown tool choice '" + type + "' (expected auto, any, tool or none)");
    };
  }

  private static Boolean parallelToolCalls(ObjectNode choice) {
    Boolean disable = Fields.optionalBoolean(choice, "disable_parallel_tool_use", "tool_choice");
    return disable == null ? null : !disable;
  }

  private static String user(JsonNode node) {
    if (node == null) {
      return null;
    }
    ObjectNode metadata = object(node, "metadata");
    Fields.onlyKnown(metadata, Set.of("user_id"), "metadata");
    return Fields.optionalString(metadata, "user_id", "metadata");
  }

  /** Anthropic's JSON outputs: {@code output_config.format} of type json_schema, always enforced. */
  private static ResponseFormat responseFormat(JsonNode config) {
    if (config == null) {
      return null;
    }
    JsonNode formatNode = get(object(config, "output_config"), "format");
    if (formatNode == null) {
      return null;
    }
    String path = "output_config.format";
    ObjectNode format = object(formatNode, path);
    Fields.onlyKnown(format, Set.of("type", "schema"), path);
    String type = Fields.requiredString(format, "type", path);
    if (!type.equals("json_schema")) {
      throw new TranslationException(path(path, "type"), "unknown format type '" + type + "' (expected json_schema)");
    }
    JsonNode schema = get(format, "schema");
    if (schema == null) {
      throw Fields.missing(path(path, "schema"));
    }
    return new ResponseFormat.JsonSchema(SCHEMA_NAME, object(schema, path(path, "schema")).toString(), true);
  }

  private static Map<String, String> extensions(ObjectNode root) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var it = root.properties().iterator(); it.hasNext(); ) {
      var field = it.next();
      if (!MAPPED.contains(field.getKey())) {
        out.put(field.getKey(), field.getValue().toString());
      }
    }
    // The rest of output_config (effort, ...) has no canonical meaning; its format is the response format.
    if (root.get("output_config") instanceof ObjectNode config) {
      ObjectNode rest = config.deepCopy();
      rest.remove("format");
      if (!rest.isEmpty()) {
        out.put("output_config", rest.toString());
      }
    }
    return out;
  }
}
