package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.Fields.get;
import static dev.tollgate.protocol.openai.translate.Fields.index;
import static dev.tollgate.protocol.openai.translate.Fields.path;
import static dev.tollgate.protocol.openai.translate.Fields.unsupported;
import static dev.tollgate.protocol.openai.translate.Fields.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI-compatible provider's {@code chat.completion} answer. Tolerant of what compatible
 * servers leave out (usage, ids, {@code created}) and of the two names for reasoning
 * ({@code reasoning_content}, {@code reasoning}); a {@code refusal} becomes the answer's text with
 * {@link StopReason#CONTENT_FILTER}. Log probabilities and annotations are not kept: only callers of
 * this same format could receive them, and those are served by pass-through. Thread-safe.
 */
public final class OpenAiResponseDecoder {
  private final ObjectMapper json;

  public OpenAiResponseDecoder(ObjectMapper json) {
    this.json = json;
  }

  public ChatResponse decode(Buffer body) {
    return decode(Fields.parseObject(json, body, "the provider's answer"));
  }

  public ChatResponse decode(JsonNode body) {
    JsonNode error = get(body, "error");
    if (error != null) {
      throw new TranslationException("error", "the provider answered with an error: "
          + (error.isObject() ? error.path("message").asText(error.toString()) : error.asText()));
    }
    JsonNode choices = Fields.array(body, "choices", "");
    if (choices == null) {
      throw new TranslationException("choices", "the provider's answer has no 'choices'");
    }
    List<ChatResponse.Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < choices.size(); i++) {
      candidates.add(candidate(choices.get(i), i));
    }
    JsonNode created = get(body, "created");
    if (created != null && !created.isIntegralNumber()) {
      throw wrongType("created", "an integer");
    }
    String id = Fields.string(body, "id", "");
    String model = Fields.string(body, "model", "");
    return new ChatResponse(id == null ? "" : id, model == null ? "" : model,
        created == null ? 0 : created.asLong(), candidates, ChatWire.readUsage(Fields.object(body, "usage", "")));
  }

  private ChatResponse.Candidate candidate(JsonNode choice, int position) {
    String at = index("choices", position);
    if (!choice.isObject()) {
      throw wrongType(at, "an object");
    }
    JsonNode indexNode = get(choice, "index");
    if (indexNode != null && !indexNode.isIntegralNumber()) {
      throw wrongType(path(at, "index"), "an integer");
    }
    JsonNode message = Fields.object(choice, "message", at);
    if (message == null) {
      throw new TranslationException(path(at, "message"), "'" + path(at, "message") + "' is required");
    }
    String messagePath = path(at, "message");
    if (get(message, "audio") != null) {
      throw unsupported(path(messagePath, "audio"), "cannot be translated for this caller");
    }
    if (get(message, "function_call") != null) {
      throw unsupported(path(messagePath, "function_call"), "(legacy function calling) cannot be translated");
    }
    List<Part> parts = new ArrayList<>();
    String reasoning = Fields.string(message, "reasoning_content", messagePath);
    if (reasoning == null) {
      reasoning = Fields.string(message, "reasoning", messagePath);
    }
    if (reasoning != null) {
      parts.add(new Part.Reasoning(reasoning, null, null));
    }
    String text = content(message, messagePath);
    String refusal = Fields.string(message, "refusal", messagePath);
    JsonNode calls = Fields.array(message, "tool_calls", messagePath);
    boolean hasCalls = calls != null && !calls.isEmpty();
    // Compatible servers send "content": "" beside tool calls; formats with typed blocks (Anthropic)
    // refuse empty text, and it says nothing, so it is not kept.
    if (text != null && !(text.isEmpty() && hasCalls)) {
      parts.add(new Part.Text(text));
    } else if (text == null && refusal != null) {
      parts.add(new Part.Text(refusal));
    }
    if (calls != null) {
      for (int j = 0; j < calls.size(); j++) {
        parts.add(toolCall(calls.get(j), index(path(messagePath, "tool_calls"), j)));
      }
    }
    String finish = Fields.string(choice, "finish_reason", at);
    StopReason reason = refusal != null ? StopReason.CONTENT_FILTER
        : finish == null ? StopReason.OTHER : ChatWire.stopReason(finish);
    return new ChatResponse.Candidate(indexNode == null ? position : indexNode.asInt(), parts, reason);
  }

  /** The message's text: a string, or (from some compatible servers) an array of text parts. */
  private static String content(JsonNode message, String at) {
    JsonNode content = get(message, "content");
    String contentPath = path(at, "content");
    if (content == null) {
      return null;
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw wrongType(contentPath, "a string, an array of text parts or null");
    }
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < content.size(); j++) {
      JsonNode part = content.get(j);
      String partPath = index(contentPath, j);
      if (!part.isObject() || !"text".equals(part.path("type").asText())) {
        throw unsupported(partPath, "is not a text part");
      }
      text.append(Fields.requiredString(part, "text", partPath));
    }
    return text.toString();
  }

  private Part.ToolCall toolCall(JsonNode call, String at) {
    if (!call.isObject()) {
      throw wrongType(at, "an object");
    }
    String type = Fields.string(call, "type", at);
    if (type != null && !type.equals("function")) {
      throw unsupported(path(at, "type"), "'" + type + "' tool calls cannot be translated for this caller");
    }
    JsonNode function = Fields.object(call, "function", at);
    String functionPath = path(at, "function");
    if (function == null) {
      throw new TranslationException(functionPath, "'" + functionPath + "' is required");
    }
    return new Part.ToolCall(Fields.requiredString(call, "id", at),
        Fields.requiredString(function, "name", functionPath), arguments(function, functionPath));
  }

  /** Arguments are JSON text; a few compatible servers send the object itself. */
  private String arguments(JsonNode function, String at) {
    JsonNode args = get(function, "arguments");
    if (args == null) {
      return "";
    }
    if (args.isTextual()) {
      return args.asText();
    }
    if (args.isObject()) {
      return Fields.text(json, args);
    }
    throw wrongType(path(at, "arguments"), "a string");
  }
}
