package dev.tollgate.protocol.anthropic;

import static dev.tollgate.protocol.anthropic.Fields.get;
import static dev.tollgate.protocol.anthropic.Fields.index;
import static dev.tollgate.protocol.anthropic.Fields.object;
import static dev.tollgate.protocol.anthropic.Fields.onlyKnown;
import static dev.tollgate.protocol.anthropic.Fields.path;
import static dev.tollgate.protocol.anthropic.Fields.requiredString;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Anthropic content blocks to canonical parts and back. {@code cache_control} is accepted and
 * dropped: it decides what Anthropic bills, never what the model sees, and the canonical model has
 * no place for it. Thread-safe.
 */
final class Blocks {
  /** Block types of the Messages API that the canonical model has no place for. */
  private static final Set<String> UNSUPPORTED = Set.of("document", "search_result", "server_tool_use",
      "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
      "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "mcp_tool_use",
      "mcp_tool_result", "container_upload", "tool_reference");
  private static final Set<String> TEXT = Set.of("type", "text", "cache_control");
  private static final Set<String> IMAGE = Set.of("type", "source", "cache_control");
  private static final Set<String> TOOL_USE = Set.of("type", "id", "name", "input", "caller", "cache_control");
  private static final Set<String> TOOL_RESULT = Set.of("type", "tool_use_id", "content", "is_error", "cache_control");
  private static final Set<String> THINKING = Set.of("type", "thinking", "signature");
  private static final Set<String> REDACTED = Set.of("type", "data");
  private static final String DATA_URL_PREFIX = "data:";

  private final ObjectMapper json;

  Blocks(ObjectMapper json) {
    this.json = json;
  }

  /** The type of the block at {@code path}, refusing types the canonical model cannot hold. */
  static String type(ObjectNode block, String path) {
    String type = requiredString(block, "type", path);
    if (UNSUPPORTED.contains(type)) {
      throw new TranslationException(path(path, "type"), "block type '" + type + "' is not supported");
    }
    return type;
  }

  static TranslationException unknownType(String path, String type) {
    return new TranslationException(path(path, "type"), "unknown block type '" + type + "'");
  }

  static TranslationException notAllowed(String path, String type, String where) {
    return new TranslationException(path(path, "type"), "block type '" + type + "' is not allowed in " + where);
  }

  /** A request block of any type the canonical model holds. */
  Part readRequestBlock(JsonNode node, String path) {
    ObjectNode block = object(node, path);
    String type = type(block, path);
    return switch (type) {
      case "text" -> {
        onlyKnown(block, TEXT, path);
        yield new Part.Text(requiredString(block, "text", path));
      }
      case "image" -> {
        onlyKnown(block, IMAGE, path);
        yield readImage(block, path);
      }
      case "tool_use" -> {
        onlyKnown(block, TOOL_USE, path);
        directCaller(block, path);
        yield readToolUse(block, path);
      }
      case "tool_result" -> {
        onlyKnown(block, TOOL_RESULT, path);
        yield readToolResult(block, path);
      }
      case "thinking" -> {
        onlyKnown(block, THINKING, path);
        yield new Part.Reasoning(requiredString(block, "thinking", path),
            Fields.optionalString(block, "signature", path), null);
      }
      case "redacted_thinking" -> {
        onlyKnown(block, REDACTED, path);
        yield new Part.Reasoning("", null, requiredString(block, "data", path));
      }
      default -> throw unknownType(path, type);
    };
  }

  /**
   * A block of a provider's answer. Fields the gateway does not read (citations and whatever the
   * provider adds later) are ignored: an answer is not a caller's request to honour.
   */
  Part readResponseBlock(JsonNode node, String path) {
    ObjectNode block = object(node, path);
    String type = type(block, path);
    return switch (type) {
      case "text" -> new Part.Text(requiredString(block, "text", path));
      case "tool_use" -> readToolUse(block, path);
      case "thinking" -> new Part.Reasoning(requiredString(block, "thinking", path),
          Fields.optionalString(block, "signature", path), null);
      case "redacted_thinking" -> new Part.Reasoning("", null, requiredString(block, "data", path));
      case "image", "tool_result" -> throw notAllowed(path, type, "an answer");
      default -> throw unknownType(path, type);
    };
  }

  /**
   * Anthropic marks each tool call with its caller; a direct call is the only kind the canonical
   * model knows (and what no caller means), calls made from Anthropic's code execution are refused.
   */
  private static void directCaller(ObjectNode block, String path) {
    JsonNode caller = get(block, "caller");
    if (caller == null) {
      return;
    }
    String callerPath = path(path, "caller");
    ObjectNode c = object(caller, callerPath);
    String type = requiredString(c, "type", callerPath);
    if (!type.equals("direct")) {
      throw new TranslationException(path(callerPath, "type"), "tool calls made by '" + type + "' are not supported");
    }
    onlyKnown(c, Set.of("type"), callerPath);
  }

  private static Part.Image readImage(ObjectNode block, String path) {
    String sourcePath = path(path, "source");
    JsonNode sourceNode = get(block, "source");
    if (sourceNode == null) {
      throw Fields.missing(sourcePath);
    }
    ObjectNode source = object(sourceNode, sourcePath);
    String kind = requiredString(source, "type", sourcePath);
    return switch (kind) {
      case "base64" -> {
        onlyKnown(source, Set.of("type", "media_type", "data"), sourcePath);
        yield Part.Image.inline(requiredString(source, "media_type", sourcePath),
            requiredString(source, "data", sourcePath));
      }
      case "url" -> {
        onlyKnown(source, Set.of("type", "url"), sourcePath);
        yield Part.Image.ofUrl(requiredString(source, "url", sourcePath));
      }
      default -> throw new TranslationException(path(sourcePath, "type"),
          "image source type '" + kind + "' is not supported (expected base64 or url)");
    };
  }

  private static Part.ToolCall readToolUse(ObjectNode block, String path) {
    String id = requiredString(block, "id", path);
    String name = requiredString(block, "name", path);
    JsonNode input = get(block, "input");
    if (input == null) {
      throw Fields.missing(path(path, "input"));
    }
    return new Part.ToolCall(id, name, object(input, path(path, "input")).toString());
  }

  private Part.ToolResult readToolResult(ObjectNode block, String path) {
    String id = requiredString(block, "tool_use_id", path);
    Boolean isError = Fields.optionalBoolean(block, "is_error", path);
    JsonNode content = get(block, "content");
    String contentPath = path(path, "content");
    List<Part> parts = new ArrayList<>();
    if (content != null && content.isTextual()) {
      parts.add(new Part.Text(content.textValue()));
    } else if (content != null) {
      if (!(content instanceof ArrayNode items)) {
        throw Fields.wrongType(contentPath, "a string or an array of blocks", content);
      }
      for (int i = 0; i < items.size(); i++) {
        String itemPath = index(contentPath, i);
        Part part = readRequestBlock(items.get(i), itemPath);
        if (!(part instanceof Part.Text) && !(part instanceof Part.Image)) {
          throw notAllowed(itemPath, object(items.get(i), itemPath).get("type").asText(), "a tool result");
        }
        parts.add(part);
      }
    }
    return new Part.ToolResult(id, parts, Boolean.TRUE.equals(isError));
  }

  /** Writes {@code part} as an Anthropic block; {@code path} names it in refusals. */
  ObjectNode write(Part part, String path) {
    ObjectNode block = json.createObjectNode();
    switch (part) {
      case Part.Text t -> block.put("type", "text").put("text", t.text());
      case Part.Image image -> writeImage(block, image, path);
      case Part.ToolCall call -> {
        block.put("type", "tool_use").put("id", call.id()).put("name", call.name());
        block.set("input", arguments(call.argumentsJson(), path));
      }
      case Part.ToolResult result -> {
        block.put("type", "tool_result").put("tool_use_id", result.toolCallId());
        if (result.content().size() == 1 && result.content().getFirst() instanceof Part.Text t) {
          block.put("content", t.text());
        } else if (!result.content().isEmpty()) {
          ArrayNode content = block.putArray("content");
          for (int i = 0; i < result.content().size(); i++) {
            Part inner = result.content().get(i);
            String innerPath = index(path(path, "content"), i);
            if (!(inner instanceof Part.Text) && !(inner instanceof Part.Image)) {
              throw new TranslationException(innerPath, "a tool result holds only text and images");
            }
            content.add(write(inner, innerPath));
          }
        }
        if (result.isError()) {
          block.put("is_error", true);
        }
      }
      case Part.Reasoning r when r.redacted() != null -> block.put("type", "redacted_thinking").put("data", r.redacted());
      case Part.Reasoning r -> {
        if (r.signature() == null || r.signature().isEmpty()) {
          throw new TranslationException(path,
              "reasoning without an Anthropic signature cannot be sent to Anthropic");
        }
        block.put("type", "thinking").put("thinking", r.text()).put("signature", r.signature());
      }
    }
    return block;
  }

  private static void writeImage(ObjectNode block, Part.Image image, String path) {
    if (image.detail() != null && !image.detail().equals("auto")) {
      throw new TranslationException(path(path, "detail"),
          "Anthropic has no image detail setting; '" + image.detail() + "' would be ignored");
    }
    block.put("type", "image");
    ObjectNode source = block.putObject("source");
    if (image.base64() != null) {
      source.put("type", "base64").put("media_type", image.mediaType()).put("data", image.base64());
    } else if (image.url().startsWith(DATA_URL_PREFIX)) {
      // OpenAI callers send inline images as data URLs; Anthropic wants them as base64 sources.
      int comma = image.url().indexOf(',');
      String header = comma < 0 ? "" : image.url().substring(DATA_URL_PREFIX.length(), comma);
      if (!header.endsWith(";base64") || header.length() == ";base64".length()) {
        throw new TranslationException(path(path, "url"), "only base64 data URLs with a media type are supported");
      }
      source.put("type", "base64")
          .put("media_type", header.substring(0, header.length() - ";base64".length()))
          .put("data", image.url().substring(comma + 1));
    } else {
      source.put("type", "url").put("url", image.url());
    }
  }

  /** Tool-call arguments as the JSON object Anthropic's {@code input} must be. */
  JsonNode arguments(String argumentsJson, String path) {
    if (argumentsJson == null || argumentsJson.isBlank()) {
      // OpenAI-compatible servers send "" for a call without arguments.
      return json.createObjectNode();
    }
    try {
      JsonNode input = json.readTree(argumentsJson);
      if (input instanceof ObjectNode) {
        return input;
      }
      throw new TranslationException(path, "tool call arguments must be a JSON object, got " + Fields.describe(input));
    } catch (JacksonException e) {
      throw new TranslationException(path, "tool call arguments are not valid JSON: " + e.getOriginalMessage());
    }
  }
}
