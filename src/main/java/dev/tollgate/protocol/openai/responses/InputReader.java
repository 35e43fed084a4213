package dev.tollgate.protocol.openai.responses;

import dev.tollgate.protocol.openai.translate.Fields;
import dev.tollgate.protocol.openai.translate.DataUrl;
import static dev.tollgate.protocol.openai.translate.Fields.get;
import static dev.tollgate.protocol.openai.translate.Fields.index;
import static dev.tollgate.protocol.openai.translate.Fields.path;
import static dev.tollgate.protocol.openai.translate.Fields.unsupported;
import static dev.tollgate.protocol.openai.translate.Fields.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Reads a Responses request's {@code input}: a string (one user message) or a list of items. System
 * and developer messages go to the system list; runs of assistant items (messages, function calls,
 * reasoning) become one assistant turn and runs of {@code function_call_output} items one
 * {@link Role#TOOL} turn, the grouping formats with strict turn-taking (Anthropic) need. Items that
 * refer to state Tollgate does not keep ({@code item_reference}, reasoning encrypted by OpenAI) and
 * built-in tool calls are refused.
 */
final class InputReader {
  private InputReader() {}

  static List<Message> read(ObjectMapper json, JsonNode body, List<Part.Text> system) {
    JsonNode input = get(body, "input");
    if (input == null) {
      throw new TranslationException("input", "'input' is required");
    }
    if (input.isTextual()) {
      return List.of(Message.user(input.asText()));
    }
    if (!input.isArray()) {
      throw wrongType("input", "a string or an array of input items");
    }
    List<Message> out = new ArrayList<>();
    Role open = null;
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      String at = index("input", i);
      JsonNode item = input.get(i);
      if (!item.isObject()) {
        throw wrongType(at, "an object");
      }
      String type = Fields.string(item, "type", at);
      // Messages may omit their type (the API's "easy input message").
      String kind = type == null ? "message" : type;
      Role role = null;
      List<Part> read;
      switch (kind) {
        case "message" -> {
          String r = Fields.requiredString(item, "role", at);
          switch (r) {
            case "system", "developer" -> {
              allowOnly(item, at, "type", "role", "content", "id", "status");
              system.addAll(textOnly(item, at));
              continue;
            }
            case "user" -> {
              allowOnly(item, at, "type", "role", "content", "id", "status");
              role = Role.USER;
              read = userContent(item, at);
            }
            case "assistant" -> {
              allowOnly(item, at, "type", "role", "content", "id", "status", "phase");
              role = Role.ASSISTANT;
              read = assistantContent(item, at);
            }
            default -> throw unsupported(path(at, "role"), "'" + r + "' is not user, assistant, system or developer");
          }
        }
        case "function_call" -> {
          allowOnly(item, at, "type", "id", "call_id", "name", "arguments", "status");
          role = Role.ASSISTANT;
          read = List.of(new Part.ToolCall(Fields.requiredString(item, "call_id", at),
              Fields.requiredString(item, "name", at), Fields.requiredString(item, "arguments", at)));
        }
        case "function_call_output" -> {
          allowOnly(item, at, "type", "id", "call_id", "output", "status");
          role = Role.TOOL;
          read = List.of(new Part.ToolResult(Fields.requiredString(item, "call_id", at), output(item, at), false));
        }
        case "reasoning" -> {
          allowOnly(item, at, "type", "id", "summary", "content", "status", "encrypted_content");
          role = Role.ASSISTANT;
          read = reasoning(json, item, at);
        }
        case "item_reference" -> throw unsupported(at,
            "refers to a stored item; Tollgate keeps no responses, so send the item itself");
        default -> throw unsupported(path(at, "type"), "'" + kind + "' input items cannot be translated for this model");
      }
      if (role != open && !parts.isEmpty()) {
        out.add(new Message(open, parts));
        parts = new ArrayList<>();
      }
      // Consecutive user messages stay separate turns, as they were sent.
      if (role == Role.USER) {
        out.add(new Message(Role.USER, read));
        open = null;
        continue;
      }
      open = role;
      parts.addAll(read);
    }
    if (!parts.isEmpty()) {
      out.add(new Message(open, parts));
    }
    if (out.isEmpty()) {
      throw new TranslationException("input", "'input' must contain at least one user, assistant or tool item");
    }
    return out;
  }

  /**
   * Refuses item fields the canonical model cannot carry. A field sent as null or an empty array
   * carries nothing: SDKs echo output items back with {@code "encrypted_content": null} and the like.
   */
  private static void allowOnly(JsonNode item, String at, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      boolean empty = v.isNull() || (v.isArray() && v.isEmpty());
      if (!ok.contains(f.getKey()) && !empty) {
        throw unsupported(path(at, f.getKey()), "cannot be translated for this model");
      }
    }
  }

  private static JsonNode content(JsonNode item, String at) {
    JsonNode content = get(item, "content");
    String contentPath = path(at, "content");
    if (content == null) {
      throw new TranslationException(contentPath, "'" + contentPath + "' is required");
    }
    if (!content.isTextual() && !content.isArray()) {
      throw wrongType(contentPath, "a string or an array of content parts");
    }
    return content;
  }

  private static List<Part.Text> textOnly(JsonNode item, String at) {
    JsonNode content = content(item, at);
    if (content.isTextual()) {
      return List.of(new Part.Text(content.asText()));
    }
    List<Part.Text> out = new ArrayList<>();
    for (int j = 0; j < content.size(); j++) {
      String partPath = index(path(at, "content"), j);
      JsonNode part = part(content.get(j), partPath);
      String type = Fields.requiredString(part, "type", partPath);
      if (!type.equals("input_text")) {
        throw unsupported(partPath, "is an '" + type + "' part; only input_text is allowed here");
      }
      out.add(new Part.Text(Fields.requiredString(part, "text", partPath)));
    }
    return out;
  }

  private static List<Part> userContent(JsonNode item, String at) {
    JsonNode content = content(item, at);
    if (content.isTextual()) {
      return List.of(new Part.Text(content.asText()));
    }
    List<Part> out = new ArrayList<>();
    for (int j = 0; j < content.size(); j++) {
      String partPath = index(path(at, "content"), j);
      out.add(inputPart(part(content.get(j), partPath), partPath));
    }
    return out;
  }

  private static Part inputPart(JsonNode part, String partPath) {
    String type = Fields.requiredString(part, "type", partPath);
    return switch (type) {
      case "input_text" -> new Part.Text(Fields.requiredString(part, "text", partPath));
      case "input_image" -> image(part, partPath);
      case "input_file", "input_audio" -> throw unsupported(partPath,
          "is an '" + type + "' part, which cannot be translated for this model");
      default -> throw unsupported(path(partPath, "type"), "'" + type + "' is not an input content type");
    };
  }

  private static Part.Image image(JsonNode part, String partPath) {
    if (Fields.string(part, "file_id", partPath) != null) {
      throw unsupported(path(partPath, "file_id"), "refers to an uploaded file, which cannot be translated for"
          + " this model; send 'image_url'");
    }
    String url = Fields.requiredString(part, "image_url", partPath);
    String detail = Fields.string(part, "detail", partPath);
    String urlPath = path(partPath, "image_url");
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

  /** An assistant turn of the history: {@code output_text} parts (or a string); refusals cannot be replayed. */
  private static List<Part> assistantContent(JsonNode item, String at) {
    JsonNode content = content(item, at);
    if (content.isTextual()) {
      return List.of(new Part.Text(content.asText()));
    }
    List<Part> out = new ArrayList<>();
    for (int j = 0; j < content.size(); j++) {
      String partPath = index(path(at, "content"), j);
      JsonNode part = part(content.get(j), partPath);
      String type = Fields.requiredString(part, "type", partPath);
      // input_text is what EasyInputMessage allows for any role; output_text is what an echoed answer holds.
      if (!type.equals("output_text") && !type.equals("input_text")) {
        throw unsupported(partPath, "is a '" + type + "' part, which cannot be translated for this model");
      }
      JsonNode annotations = Fields.array(part, "annotations", partPath);
      if (annotations != null && !annotations.isEmpty()) {
        throw unsupported(path(partPath, "annotations"), "cannot be translated for this model");
      }
      out.add(new Part.Text(Fields.requiredString(part, "text", partPath)));
    }
    return out;
  }

  /** A function's result: a string, or text and image parts. */
  private static List<Part> output(JsonNode item, String at) {
    JsonNode output = get(item, "output");
    String outputPath = path(at, "output");
    if (output == null) {
      throw new TranslationException(outputPath, "'" + outputPath + "' is required");
    }
    if (output.isTextual()) {
      return List.of(new Part.Text(output.asText()));
    }
    if (!output.isArray()) {
      throw wrongType(outputPath, "a string or an array of content parts");
    }
    List<Part> out = new ArrayList<>();
    for (int j = 0; j < output.size(); j++) {
      String partPath = index(outputPath, j);
      out.add(inputPart(part(output.get(j), partPath), partPath));
    }
    return out;
  }

  /**
   * Reasoning shown in an earlier answer: its summary text, and the upstream's signature or redacted
   * data when {@code encrypted_content} is a {@link ReasoningToken} Tollgate wrote.
   */
  private static List<Part> reasoning(ObjectMapper json, JsonNode item, String at) {
    JsonNode summary = Fields.array(item, "summary", at);
    String summaryPath = path(at, "summary");
    if (summary == null) {
      throw new TranslationException(summaryPath, "'" + summaryPath + "' is required");
    }
    JsonNode content = Fields.array(item, "content", at);
    if (content != null && !content.isEmpty()) {
      throw unsupported(path(at, "content"), "(raw reasoning text) cannot be translated for this model");
    }
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < summary.size(); j++) {
      String partPath = index(summaryPath, j);
      JsonNode part = part(summary.get(j), partPath);
      String type = Fields.requiredString(part, "type", partPath);
      if (!type.equals("summary_text")) {
        throw unsupported(path(partPath, "type"), "'" + type + "' is not summary_text");
      }
      if (!text.isEmpty()) {
        text.append("\n\n");
      }
      text.append(Fields.requiredString(part, "text", partPath));
    }
    String token = Fields.string(item, "encrypted_content", at);
    if (token != null) {
      return List.of(ReasoningToken.decode(json, token, text.toString(), path(at, "encrypted_content")));
    }
    return text.isEmpty() ? List.of() : List.of(new Part.Reasoning(text.toString(), null, null));
  }

  private static JsonNode part(JsonNode part, String partPath) {
    if (!part.isObject()) {
      throw wrongType(partPath, "an object");
    }
    return part;
  }
}
