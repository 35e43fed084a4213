package dev.tollgate.protocol.openai.responses;

import dev.tollgate.protocol.openai.translate.Fields;
import static dev.tollgate.protocol.openai.translate.Fields.get;
import static dev.tollgate.protocol.openai.translate.Fields.index;
import static dev.tollgate.protocol.openai.translate.Fields.path;
import static dev.tollgate.protocol.openai.translate.Fields.unsupported;
import static dev.tollgate.protocol.openai.translate.Fields.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
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
 * Reads an inbound {@code /v1/responses} body into the canonical model.
 *
 * <p>Tollgate is stateless, so what needs stored responses is refused with the field named:
 * {@code previous_response_id}, {@code conversation}, {@code prompt} (stored prompts),
 * {@code background: true} and {@code store: true}. The API defaults {@code store} to true; an
 * absent {@code store} is read as false (nothing is stored, and the answer says {@code "store":
 * false}), since refusing it would refuse every SDK call that does not set it.
 *
 * <p>Fields that have a chat-completions equivalent but no canonical one are kept in
 * {@link ChatRequest#extensions()} under their chat-completions names, so an OpenAI upstream gets
 * them: {@code reasoning.effort} as {@code reasoning_effort}, {@code text.verbosity} as
 * {@code verbosity}, the schema's
 * description as {@code response_format.json_schema.description}, and {@code metadata},
 * {@code service_tier}, {@code prompt_cache_key}, {@code prompt_cache_retention} as they are.
 * {@code include: ["reasoning.encrypted_content"]} is accepted (see {@link ReasoningToken}).
 * {@code reasoning.summary} and {@code stream_options.include_obfuscation} are accepted as hints:
 * summaries are written whenever the upstream shows reasoning, and no obfuscation padding is sent.
 * Any other field is refused. Thread-safe.
 */
public final class ResponsesRequestDecoder {
  /** Extension key of {@code reasoning.effort}, the chat-completions name for it. */
  public static final String REASONING_EFFORT = "reasoning_effort";


  /** Extension key of the JSON schema's description, as the chat-completions codec reads it. */
  static final String SCHEMA_DESCRIPTION_KEY = "response_format.json_schema.description";

  private static final Set<String> PASSED_ON = Set.of("metadata", "service_tier", "prompt_cache_key",
      "prompt_cache_retention");

  private static final Set<String> MAPPED = Set.of("model", "input", "instructions", "max_output_tokens",
      "temperature", "top_p", "parallel_tool_calls", "stream", "stream_options", "tools", "tool_choice", "text",
      "user", "safety_identifier", "store", "background", "previous_response_id", "conversation", "prompt",
      "reasoning", "include", "truncation");

  private final ObjectMapper json;

  public ResponsesRequestDecoder(ObjectMapper json) {
    this.json = json;
  }

  public ResponsesRequest decode(Buffer body) {
    return decode(Fields.parseObject(json, body, "the request body"));
  }

  public ResponsesRequest decode(JsonNode body) {
    if (!body.isObject()) {
      throw new TranslationException("", "the request body must be a JSON object");
    }
    refuseState(body);
    Map<String, String> extensions = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (PASSED_ON.contains(name)) {
        if (!field.getValue().isNull()) {
          extensions.put(name, Fields.text(json, field.getValue()));
        }
      } else if (!MAPPED.contains(name) && !field.getValue().isNull()) {
        throw unsupported(name, "cannot be translated for this model");
      }
    }
    String model = Fields.requiredString(body, "model", "");
    if (model.isBlank()) {
      throw new TranslationException("model", "'model' must not be empty");
    }
    boolean stream = Boolean.TRUE.equals(Fields.bool(body, "stream", ""));
    streamOptions(body, stream);
    include(body);
    truncation(body);
    List<Part.Text> system = new ArrayList<>();
    String instructions = Fields.string(body, "instructions", "");
    if (instructions != null) {
      system.add(new Part.Text(instructions));
    }
    List<Message> messages = InputReader.read(json, body, system);
    List<Tool> tools = tools(body, extensions);
    JsonNode choiceNode = get(body, "tool_choice");
    ToolChoice toolChoice = toolChoice(choiceNode);
    ResponseFormat format = text(body, extensions);
    reasoning(body, extensions);
    Double temperature = Fields.number(body, "temperature", "");
    Double topP = Fields.number(body, "top_p", "");
    Integer maxTokens = Fields.positiveInt(body, "max_output_tokens", "");
    Boolean parallel = Fields.bool(body, "parallel_tool_calls", "");
    ChatRequest chat = new ChatRequest(model, system, messages, maxTokens, temperature, topP, null, List.of(),
        tools, toolChoice, parallel, format, 1, stream, user(body),
        Extensions.openAi(extensions));
    return new ResponsesRequest(chat, echo(body, instructions, maxTokens, temperature, topP, parallel, choiceNode));
  }

  private static void refuseState(JsonNode body) {
    if (get(body, "previous_response_id") != null) {
      throw unsupported("previous_response_id", "cannot be served: Tollgate keeps no responses; send the whole"
          + " conversation in 'input'");
    }
    if (get(body, "conversation") != null) {
      throw unsupported("conversation", "cannot be served: Tollgate keeps no conversations; send the whole"
          + " conversation in 'input'");
    }
    if (get(body, "prompt") != null) {
      throw unsupported("prompt", "(a stored prompt template) cannot be served by Tollgate; send 'instructions'"
          + " and 'input'");
    }
    if (Boolean.TRUE.equals(Fields.bool(body, "store", ""))) {
      throw unsupported("store", "must be false: Tollgate does not store responses");
    }
    if (Boolean.TRUE.equals(Fields.bool(body, "background", ""))) {
      throw unsupported("background", "must be false: Tollgate does not run responses in the background");
    }
  }

  private static void streamOptions(JsonNode body, boolean stream) {
    JsonNode options = Fields.object(body, "stream_options", "");
    if (options == null) {
      return;
    }
    if (!stream) {
      throw new TranslationException("stream_options", "'stream_options' is only allowed when 'stream' is true");
    }
    for (Iterator<String> names = options.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("include_obfuscation")) {
        throw unsupported(path("stream_options", name), "cannot be translated for this model");
      }
    }
    Fields.bool(options, "include_obfuscation", "stream_options");
  }

  /**
   * Extra output a translated answer lacks (logprobs, search results, images) is refused.
   * {@code reasoning.encrypted_content} is accepted: reasoning items carry it whenever the upstream
   * signed its reasoning, asked for or not, because the caller needs it to send the reasoning back.
   */
  private static void include(JsonNode body) {
    JsonNode include = Fields.array(body, "include", "");
    if (include == null) {
      return;
    }
    for (int i = 0; i < include.size(); i++) {
      JsonNode v = include.get(i);
      if (!v.isTextual()) {
        throw wrongType(index("include", i), "a string");
      }
      if (!v.asText().equals("reasoning.encrypted_content")) {
        throw unsupported(index("include", i), "'" + v.asText() + "' cannot be provided for this model");
      }
    }
  }

  /** {@code auto} truncation drops input when it overflows the context, which no other provider does for us. */
  private static void truncation(JsonNode body) {
    String truncation = Fields.string(body, "truncation", "");
    if (truncation != null && !truncation.equals("disabled")) {
      throw unsupported("truncation", "'" + truncation + "' cannot be provided for this model; use 'disabled'");
    }
  }

  /** {@code user} is deprecated in favour of {@code safety_identifier}; both name the end user. */
  private static String user(JsonNode body) {
    String user = Fields.string(body, "user", "");
    String safety = Fields.string(body, "safety_identifier", "");
    if (user != null && safety != null && !user.equals(safety)) {
      throw unsupported("safety_identifier", "differs from 'user'; send one of them");
    }
    return user != null ? user : safety;
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
      for (Iterator<Map.Entry<String, JsonNode>> it = tool.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!Set.of("type", "name", "description", "parameters", "strict").contains(f.getKey())
            && !f.getValue().isNull()) {
          throw unsupported(path(at, f.getKey()), "cannot be translated for this model");
        }
      }
      JsonNode parameters = Fields.object(tool, "parameters", at);
      // Only strict: true asks for something; false is every provider's behaviour, and kept it would
      // make providers with no strict mode refuse a request they can serve.
      Boolean strict = Boolean.TRUE.equals(Fields.bool(tool, "strict", at)) ? Boolean.TRUE : null;
      out.add(new Tool(Fields.requiredString(tool, "name", at), Fields.string(tool, "description", at),
          parameters == null ? null : Fields.text(json, parameters), strict));
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
    return new ToolChoice.Named(Fields.requiredString(choice, "name", "tool_choice"));
  }

  /** {@code text.format} is the Responses form of {@code response_format}, with the schema's fields flattened. */
  private ResponseFormat text(JsonNode body, Map<String, String> extensions) {
    JsonNode text = Fields.object(body, "text", "");
    if (text == null) {
      return null;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = text.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!Set.of("format", "verbosity").contains(f.getKey()) && !f.getValue().isNull()) {
        throw unsupported(path("text", f.getKey()), "cannot be translated for this model");
      }
    }
    String verbosity = Fields.string(text, "verbosity", "text");
    if (verbosity != null) {
      extensions.put("verbosity", Fields.text(json, text.get("verbosity")));
    }
    JsonNode format = Fields.object(text, "format", "text");
    if (format == null) {
      return null;
    }
    String at = "text.format";
    String type = Fields.requiredString(format, "type", at);
    return switch (type) {
      case "text" -> ResponseFormat.TEXT;
      case "json_object" -> new ResponseFormat.JsonObject();
      case "json_schema" -> {
        for (Iterator<Map.Entry<String, JsonNode>> it = format.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          if (!Set.of("type", "name", "description", "schema", "strict").contains(f.getKey())
              && !f.getValue().isNull()) {
            throw unsupported(path(at, f.getKey()), "cannot be translated for this model");
          }
        }
        if (Fields.string(format, "description", at) != null) {
          extensions.put(SCHEMA_DESCRIPTION_KEY, Fields.text(json, format.get("description")));
        }
        JsonNode schema = Fields.object(format, "schema", at);
        if (schema == null) {
          throw new TranslationException(path(at, "schema"), "'" + path(at, "schema") + "' is required");
        }
        yield new ResponseFormat.JsonSchema(Fields.requiredString(format, "name", at), Fields.text(json, schema),
            Boolean.TRUE.equals(Fields.bool(format, "strict", at)));
      }
      default -> throw unsupported(path(at, "type"), "'" + type + "' is not text, json_object or json_schema");
    };
  }

  private void reasoning(JsonNode body, Map<String, String> extensions) {
    JsonNode reasoning = Fields.object(body, "reasoning", "");
    if (reasoning == null) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = reasoning.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!Set.of("effort", "summary", "generate_summary").contains(f.getKey()) && !f.getValue().isNull()) {
        throw unsupported(path("reasoning", f.getKey()), "cannot be translated for this model");
      }
    }
    Fields.string(reasoning, "summary", "reasoning");
    Fields.string(reasoning, "generate_summary", "reasoning");
    if (Fields.string(reasoning, "effort", "reasoning") != null) {
      extensions.put(REASONING_EFFORT, Fields.text(json, reasoning.get("effort")));
    }
  }

  /** What the API repeats in the response object, with its defaults for what the caller left out. */
  private ObjectNode echo(JsonNode body, String instructions, Integer maxTokens, Double temperature, Double topP,
      Boolean parallel, JsonNode toolChoice) {
    ObjectNode echo = json.createObjectNode();
    echo.put("instructions", instructions);
    echo.put("max_output_tokens", maxTokens);
    echo.put("temperature", temperature == null ? 1.0 : temperature);
    echo.put("top_p", topP == null ? 1.0 : topP);
    echo.put("parallel_tool_calls", parallel == null || parallel);
    echo.set("tool_choice", toolChoice == null ? json.getNodeFactory().textNode("auto") : toolChoice.deepCopy());
    ArrayNode tools = echo.putArray("tools");
    JsonNode requested = get(body, "tools");
    if (requested != null) {
      for (JsonNode t : requested) {
        ObjectNode tool = tools.addObject().put("type", "function").put("name", t.get("name").asText());
        tool.set("description", t.has("description") ? t.get("description") : json.nullNode());
        tool.set("parameters", t.has("parameters") ? t.get("parameters") : json.nullNode());
        tool.set("strict", t.has("strict") ? t.get("strict") : json.nullNode());
      }
    }
    ObjectNode text = echo.putObject("text");
    JsonNode requestedText = get(body, "text");
    JsonNode format = requestedText == null ? null : get(requestedText, "format");
    if (format == null) {
      text.putObject("format").put("type", "text");
    } else {
      text.set("format", format.deepCopy());
    }
    JsonNode verbosity = requestedText == null ? null : get(requestedText, "verbosity");
    text.put("verbosity", verbosity == null ? "medium" : verbosity.asText());
    ObjectNode reasoning = echo.putObject("reasoning");
    JsonNode requestedReasoning = get(body, "reasoning");
    for (String field : List.of("effort", "summary")) {
      JsonNode v = requestedReasoning == null ? null : get(requestedReasoning, field);
      reasoning.set(field, v == null ? json.nullNode() : v.deepCopy());
    }
    JsonNode metadata = get(body, "metadata");
    echo.set("metadata", metadata == null ? json.createObjectNode() : metadata.deepCopy());
    echo.put("user", Fields.string(body, "user", ""));
    echo.put("safety_identifier", Fields.string(body, "safety_identifier", ""));
    echo.put("store", false);
    echo.put("background", false);
    echo.putNull("previous_response_id");
    echo.put("truncation", "disabled");
    return echo;
  }
}
