package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.Fields.get;
import static dev.tollgate.protocol.openai.translate.Fields.index;
import static dev.tollgate.protocol.openai.translate.Fields.path;
import static dev.tollgate.protocol.openai.translate.Fields.unsupported;
import static dev.tollgate.protocol.openai.translate.Fields.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads an OpenAI request's {@code messages}: system and developer turns into the system list, the
 * rest into canonical messages, consecutive {@code tool} turns into one {@link Role#TOOL} message
 * (the results of one assistant turn's calls, which is how formats that group them want them).
 */
final class MessageReader {
  private MessageReader() {}

  /** The conversation; system and developer text is appended to {@code system}, in order. */
  static List<Message> read(JsonNode body, List<Part.Text> system) {
    JsonNode messages = Fields.array(body, "messages", "");
    if (messages == null || messages.isEmpty()) {
      throw new TranslationException("messages", "'messages' must contain at least one message");
    }
    List<Message> out = new ArrayList<>();
    List<Part> toolResults = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String at = index("messages", i);
      JsonNode m = messages.get(i);
      if (!m.isObject()) {
        throw wrongType(at, "an object");
      }
      String role = Fields.requiredString(m, "role", at);
      if (!role.equals("tool") && !toolResults.isEmpty()) {
        out.add(new Message(Role.TOOL, toolResults));
        toolResults = new ArrayList<>();
      }
      switch (role) {
        case "system", "developer" -> {
          allowOnly(m, at, "role", "content");
          system.addAll(textParts(m, at));
        }
        case "user" -> {
          allowOnly(m, at, "role", "content");
          out.add(new Message(Role.USER, userParts(m, at)));
        }
        case "assistant" -> {
          allowOnly(m, at, "role", "content", "tool_calls", "reasoning_content", "refusal", "annotations");
          out.add(new Message(Role.ASSISTANT, assistantParts(m, at)));
        }
        case "tool" -> {
          allowOnly(m, at, "role", "content", "tool_call_id");
          String id = Fields.requiredString(m, "tool_call_id", at);
          toolResults.add(new Part.ToolResult(id, List.copyOf(textParts(m, at)), false));
        }
        case "function" -> throw unsupported(path(at, "role"),
            "'function' (legacy function calling) cannot be translated for this model; use 'tool' messages");
        default -> throw unsupported(path(at, "role"), "'" + role + "' is not a chat role");
      }
    }
    if (!toolResults.isEmpty()) {
      out.add(new Message(Role.TOOL, toolResults));
    }
    return out;
  }

  /**
   * Refuses message fields the canonical model cannot carry ({@code name}, {@code audio}, ...). A
   * field sent as null or as an empty array (as SDKs echo a previous answer back) carries nothing.
   */
  private static void allowOnly(JsonNode m, String at, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      boolean empty = v.isNull() || (v.isArray() && v.isEmpty());
      if (!ok.contains(f.getKey()) && !empty) {
        throw unsupported(path(at, f.getKey()), "cannot be translated for this model");
      }
    }
  }

  /** Content that may only hold text: a string, or an array of text parts. */
  private static List<Part.Text> textParts(JsonNode m, String at) {
    JsonNode content = get(m, "content");
    String contentPath = path(at, "content");
    if (content == null) {
      throw new TranslationException(contentPath, "'" + contentPath + "' is required");
    }
    if (content.isTextual()) {
      return List.of(new Part.Text(content.asText()));
    }
    if (!content.isArray()) {
      throw wrongType(contentPath, "a string or an array of text parts");
    }
    List<Part.Text> out = new ArrayList<>();
    for (int j = 0; j < content.size(); j++) {
      String partPath = index(contentPath, j);
      JsonNode part = content.get(j);
      if (!part.isObject()) {
        throw wrongType(partPath, "an object");
      }
      String type = Fields.requiredString(part, "type", partPath);
      if (!type.equals("text")) {
        throw unsupported(partPath, "is a '" + type + "' part; only text is allowed here");
      }
      out.add(new Part.Text(Fields.requiredString(part, "text", partPath)));
    }
    return out;
  }

  private static List<Part> userParts(JsonNode m, String at) {
    JsonNode content = get(m, "content");
    String contentPath = path(at, "content");
    if (content == null) {
      throw new TranslationException(contentPath, "'" + contentPath + "' is required");
    }
    if (content.isTextual()) {
      return List.of(new Part.Text(content.asText()));
    }
    if (!content.isArray()) {
      throw wrongType(contentPath, "a string or an array of content parts");
    }
    List<Part> out = new ArrayList<>();
    for (int j = 0; j < content.size(); j++) {
      String partPath = index(contentPath, j);
      JsonNode part = content.get(j);
      if (!part.isObject()) {
        throw wrongType(partPath, "an object");
      }
      String type = Fields.requiredString(part, "type", partPath);
      switch (type) {
        case "text" -> out.add(new Part.Text(Fields.requiredString(part, "text", partPath)));
        case "image_url" -> out.add(image(part, partPath));
        case "input_audio", "file" -> throw unsupported(partPath,
            "is an '" + type + "' part, which cannot be translated for this model");
        default -> throw unsupported(path(partPath, "type"), "'" + type + "' is not a content part type");
      }
    }
    return out;
  }

  private static Part.Image image(JsonNode part, String partPath) {
    String imagePath = path(partPath, "image_url");
    JsonNode image = Fields.object(part, "image_url", partPath);
    if (image == null) {
      throw new TranslationException(imagePath, "'" + imagePath + "' is required");
    }
    String url = Fields.requiredString(image, "url", imagePath);
    String detail = Fields.string(image, "detail", imagePath);
    String urlPath = path(imagePath, "url");
    if (url.startsWith("data:")) {
      DataUrl data = DataUrl.parse(url, urlPath);
      return new Part.Image(null, data.mediaType(), data.base64(), detail);
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
      throw unsupported(urlPath, "must be an http(s) URL or a base64 data: URL");
    }
    return new Part.Image(url, null, null, detail);
  }

  private static List<Part> assistantParts(JsonNode m, String at) {
    List<Part> out = new ArrayList<>();
    String reasoning = Fields.string(m, "reasoning_content", at);
    if (reasoning != null) {
      out.add(new Part.Reasoning(reasoning, null, null));
    }
    if (Fields.string(m, "refusal", at) != null) {
      throw unsupported(path(at, "refusal"), "cannot be translated for this model");
    }
    JsonNode content = get(m, "content");
    String contentPath = path(at, "content");
    if (content != null) {
      if (content.isTextual()) {
        out.add(new Part.Text(content.asText()));
      } else if (content.isArray()) {
        for (int j = 0; j < content.size(); j++) {
          String partPath = index(contentPath, j);
          JsonNode part = content.get(j);
          if (!part.isObject()) {
            throw wrongType(partPath, "an object");
          }
          String type = Fields.requiredString(part, "type", partPath);
          if (!type.equals("text")) {
            throw unsupported(partPath, "is a '" + type + "' part, which cannot be translated for this model");
          }
          out.add(new Part.Text(Fields.requiredString(part, "text", partPath)));
        }
      } else {
        throw wrongType(contentPath, "a string, an array of text parts or null");
      }
    }
    JsonNode calls = Fields.array(m, "tool_calls", at);
    if (calls != null && !calls.isEmpty()) {
      // Clients echo "content": "" beside tool calls; it says nothing, and formats with typed
      // blocks (Anthropic) refuse empty text, so it is not kept.
      out.removeIf(p -> p instanceof Part.Text t && t.text().isEmpty());
      for (int j = 0; j < calls.size(); j++) {
        out.add(toolCall(calls.get(j), index(path(at, "tool_calls"), j)));
      }
    }
    if (content == null && (calls == null || calls.isEmpty())) {
      throw new TranslationException(contentPath, "'" + contentPath + "' is required unless 'tool_calls' is given");
    }
    return out;
  }

  private static Part.ToolCall toolCall(JsonNode call, String at) {
    if (!call.isObject()) {
      throw wrongType(at, "an object");
    }
    String type = Fields.requiredString(call, "type", at);
    if (!type.equals("function")) {
      throw unsupported(path(at, "type"), "'" + type + "' tool calls cannot be translated for this model");
    }
    String id = Fields.requiredString(call, "id", at);
    JsonNode function = Fields.object(call, "function", at);
    String functionPath = path(at, "function");
    if (function == null) {
      throw new TranslationException(functionPath, "'" + functionPath + "' is required");
    }
    String name = Fields.requiredString(function, "name", functionPath);
    String arguments = Fields.requiredString(function, "arguments", functionPath);
    return new Part.ToolCall(id, name, arguments);
  }
}
