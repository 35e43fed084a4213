package dev.tollgate.provider.bedrock;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a whole Converse answer. Converse's body carries no id, model or timestamp (the request id
 * is only in the {@code x-amzn-RequestId} header), so those stay null/0 for the caller to fill in.
 * Content blocks Converse may add that have no canonical form (citations, guard content) are skipped;
 * {@code metrics} and {@code trace} are ignored.
 */
final class ConverseResponseDecoder {
  private final ObjectMapper json;

  ConverseResponseDecoder(ObjectMapper json) {
    this.json = json;
  }

  ChatResponse decode(Buffer body) {
    JsonNode root;
    try {
      root = json.readTree(body.getBytes());
    } catch (JacksonException e) {
      throw new TranslationException("body", "not a Converse answer: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new TranslationException("body", "not a Converse answer: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new TranslationException("body", "not a Converse answer: expected a JSON object");
    }
    JsonNode content = root.path("output").path("message").path("content");
    if (!content.isArray()) {
      throw new TranslationException("output.message.content", "missing or not an array");
    }
    List<Part> parts = new ArrayList<>(content.size());
    for (int i = 0; i < content.size(); i++) {
      Part part = part(content.get(i), "output.message.content[" + i + "]");
      if (part != null) {
        parts.add(part);
      }
    }
    JsonNode stop = root.get("stopReason");
    if (stop == null || !stop.isTextual()) {
      throw new TranslationException("stopReason", "missing or not a string");
    }
    return new ChatResponse(null, null, 0,
        List.of(new ChatResponse.Candidate(0, parts, ConverseResults.stopReason(stop.asText()))),
        ConverseResults.usage(root.get("usage"), "usage"));
  }

  private Part part(JsonNode block, String path) {
    if (!block.isObject()) {
      throw new TranslationException(path, "a content block must be an object");
    }
    if (block.has("text")) {
      return new Part.Text(text(block, "text", path));
    }
    if (block.has("toolUse")) {
      JsonNode use = block.get("toolUse");
      JsonNode input = use.get("input");
      String arguments;
      try {
        arguments = input == null || input.isNull() ? "{}" : json.writeValueAsString(input);
      } catch (JacksonException e) {
        throw new IllegalStateException("cannot serialise a JSON tree", e);
      }
      return new Part.ToolCall(text(use, "toolUseId", path + ".toolUse"), text(use, "name", path + ".toolUse"),
          arguments);
    }
    if (block.has("reasoningContent")) {
      JsonNode rc = block.get("reasoningContent");
      if (rc.has("redactedContent")) {
        return new Part.Reasoning("", null, text(rc, "redactedContent", path + ".reasoningContent"));
      }
      JsonNode rt = rc.get("reasoningText");
      if (rt == null || !rt.isObject()) {
        throw new TranslationException(path + ".reasoningContent", "holds neither reasoningText nor redactedContent");
      }
      JsonNode signature = rt.get("signature");
      return new Part.Reasoning(text(rt, "text", path + ".reasoningContent.reasoningText"),
          signature == null || signature.isNull() ? null : signature.asText(), null);
    }
    return null;
  }

  private static String text(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || !v.isTextual()) {
      throw new TranslationException(path + "." + field, "'" + field + "' is missing or not a string");
    }
    return v.asText();
  }
}
