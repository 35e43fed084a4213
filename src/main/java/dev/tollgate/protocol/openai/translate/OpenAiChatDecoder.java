package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.Fields.get;
import static dev.tollgate.protocol.openai.translate.Fields.index;
import static dev.tollgate.protocol.openai.translate.Fields.path;
import static dev.tollgate.protocol.openai.translate.Fields.unsupported;
import static dev.tollgate.protocol.openai.translate.Fields.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an inbound {@code /v1/chat/completions} body into the canonical model. System and developer
 * messages are hoisted into {@link ChatRequest#system()}; consecutive {@code tool} messages become
 * one {@link Role#TOOL} message; top-level fields with no canonical meaning go to
 * {@link ChatRequest#extensions()} verbatim, so an OpenAI encoder can send them on. Whatever the
 * canonical model cannot hold (audio, files, the legacy function-calling fields, message names) is
 * refused with a {@link TranslationException} naming the field. Thread-safe.
 */
public final class OpenAiChatDecoder {
  /** Key in {@link ChatRequest#extensions()} for the JSON schema's description. */
  static final String SCHEMA_DESCRIPTION_KEY = "response_format.json_schema.description";

  /** Top-level fields this decoder maps (or refuses); every other field is an extension. */
  static final Set<String> MAPPED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
      "temperature", "top_p", "top_k", "stop", "n", "stream", "stream_options", "tools", "tool_choice",
      "parallel_tool_calls", "response_format", "user", "functions", "function_call");

  private final ObjectMapper json;

  public OpenAiChatDecoder(ObjectMapper json) {
    this.json = json;
  }

  public OpenAiChatRequest decode(Buffer body) {
    return decode(Fields.parseObject(json, body, "the request body"));
  }

  public OpenAiChatRequest decode(JsonNode body) {
    if (!body.isObject()) {
      throw new TranslationException("", "the request body must be a JSON object");
    }
    refuseLegacyFunctions(body);
    Map<String, String> extensions = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!MAPPED.contains(field.getKey())) {
        extensions.put(field.getKey(), Fields.text(json, field.getValue()));
      }
    }
    String model = Fields.requiredString(body, "model", "");
    if (model.isBlank()) {
      throw new TranslationException("model", "'model' must not be empty");
    }
    boolean stream = Boolean.TRUE.equals(Fields.bool(body, "stream", ""));
    boolean includeUsage = includeUsage(body, stream);
    List<Part.Text> system = new ArrayList<>();
    List<Message> messages = MessageReader.read(body, system);
    List<Tool> tools = tools(body, extensions);
    ToolChoice toolChoice = toolChoice(get(body, "tool_choice"));
    ResponseFormat responseFormat = responseFormat(body, extensions);
    Integer candidates = Fields.positiveInt(body, "n", "");
    ChatRequest chat = new ChatRequest(
        model,
        system,
        messages,
        maxTokens(body),
        Fields.number(body, "temperature", ""),
        Fields.number(body, "top_p", ""),
        Fields.positiveInt(body, "top_k", ""),
        stop(get(body, "stop")),
        tools,
        toolChoice,
        Fields.bool(body, "parallel_tool_calls", ""),
        responseFormat,
        candidates == null ? 1 : candidates,
        stream,
        Fields.string(body, "user", ""),
        Extensions.openAi(extensions));
    return new OpenAiChatRequest(chat, includeUsage);
  }

  /**
   * The legacy fields are refused rather than mapped onto tools: a caller that sends them expects
   * {@code function_call} answers and finish reasons, which a translated answer would not give.
   */
  private static void refuseLegacyFunctions(JsonNode body) {
    for (String legacy : List.of("functions", "function_call")) {
      if (get(body, legacy) != null) {
        throw unsupported(legacy, "(legacy function calling) cannot be translated for this model; use 'tools'"
            + " and 'tool_choice'");
      }
    }
  }

  private static boolean includeUsage(JsonNode body, boolean stream) {
    JsonNode options = Fields.object(body, "stream_options", "");
    if (options == null) {
      return false;
    }
    if (!stream) {
      throw new TranslationException("stream_options", "'stream_options' is only allowed when 'stream' is true");
    }
    return Boolean.TRUE.equals(Fields.bool(options, "include_usage", "stream_options"));
  }

  private static Integer maxTokens(JsonNode body) {
    Integer legacy = Fields.positiveInt(body, "max_tokens", "");
    Integer current = Fields.positiveInt(body, "max_completion_tokens", "");
    if (legacy != null && current != null && !legacy.equals(current)) {
      throw new TranslationException("max_tokens", "'max_tokens' and 'max_completion_tokens' disagree; send one");
    }
    return current != null ? current : legacy;
  }

  private static List<String> stop(JsonNode stop) {
    if (stop == null) {
      return List.of();
    }
    if (stop.isTextual()) {
      return List.of(stop.asText());
    }
    if (!stop.isArray()) {
      throw wrongType("stop", "a string or an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < stop.size(); i++) {
      if (!stop.get(i).isTextual()) {
        throw wrongType(index("stop", i), "a string");
      }
      out.add(stop.get(i).asText());
    }
    return out;
  }

  private List<Tool> tools(JsonNode body, Map<String, String> extensions) {
    JsonNode tools = Fields.array(body, "tools", "");
    if (tools == null) {
      return List.of();
    }
    List<Tool> out = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      String at = index("tools", i);
      JsonNode tool = tools.get(i);
      if (!tool.isObject()) {
        throw wrongType(at, "an object");
      }
      String type = Fields.requiredString(tool, "type", at);
      if (!type.equals("function")) {
        throw unsupported(path(at, "type"), "'" + type + "' tools cannot be translated for this model");
      }
      String functionPath = path(at, "function");
      JsonNode function = Fields.object(tool, "function", at);
      if (function == null) {
        throw new TranslationException(functionPath, "'" + functionPath + "' is required");
      }
      for (Iterator<String> names = function.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!Set.of("name", "description", "parameters", "strict").contains(name)) {
          throw unsupported(path(functionPath, name), "cannot be translated for this model");
        }
      }
      JsonNode parameters = Fields.object(function, "parameters", functionPath);
      out.add(new Tool(
          Fields.requiredString(function, "name", functionPath),
          Fields.string(function, "description", functionPath),
          parameters == null ? null : Fields.text(json, parameters),
          Fields.bool(function, "strict", functionPath)));
    }
    return out;
  }

  private static ToolChoice toolChoice(JsonNode choice) {
    if (choice == null) {
      return null;
    }
    if (choice.isTextual()) {
      return switch (choice.asText()) {
        case "none" -> ToolChoice.NONE;
        case "auto" -> ToolChoice.AUTO;
        case "required" -> ToolChoice.REQUIRED;
        default -> throw unsupported("tool_choice", "'" + choice.asText() + "' is not none, auto or required");
      };
    }
    if (!choice.isObject()) {
      throw wrongType("tool_choice", "a string or an object");
    }
    String type = Fields.requiredString(choice, "type", "tool_choice");
    if (!type.equals("function")) {
      throw unsupported("tool_choice.type", "'" + type + "' cannot be translated for this model");
    }
    JsonNode function = Fields.object(choice, "function", "tool_choice");
    if (function == null) {
      throw new TranslationException("tool_choice.function", "'tool_choice.function' is required");
    }
    return new ToolChoice.Named(Fields.requiredString(function, "name", "tool_choice.function"));
  }

  private ResponseFormat responseFormat(JsonNode body, Map<String, String> extensions) {
    JsonNode format = Fields.object(body, "response_format", "");
    if (format == null) {
      return null;
    }
    String type = Fields.requiredString(format, "type", "response_format");
    return switch (type) {
      case "text" -> ResponseFormat.TEXT;
      case "json_object" -> new ResponseFormat.JsonObject();
      case "json_schema" -> {
        String at = "response_format.json_schema";
        JsonNode schema = Fields.object(format, "json_schema", "response_format");
        if (schema == null) {
          throw new TranslationException(at, "'" + at + "' is required");
        }
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
          String name = names.next();
          if (!Set.of("name", "description", "schema", "strict").contains(name)) {
            throw unsupported(path(at, name), "cannot be translated for this model");
          }
        }
        String description = Fields.string(schema, "description", at);
        if (description != null) {
          extensions.put(SCHEMA_DESCRIPTION_KEY, Fields.text(json, schema.get("description")));
        }
        JsonNode schemaBody = Fields.object(schema, "schema", at);
        yield new ResponseFormat.JsonSchema(
            Fields.requiredString(schema, "name", at),
            schemaBody == null ? null : Fields.text(json, schemaBody),
            Boolean.TRUE.equals(Fields.bool(schema, "strict", at)));
      }
      default -> throw unsupported("response_format.type", "'" + type + "' is not text, json_object or json_schema");
    };
  }
}
