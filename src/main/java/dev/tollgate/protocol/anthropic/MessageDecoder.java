package dev.tollgate.protocol.anthropic;

import static dev.tollgate.protocol.anthropic.Fields.index;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.ArrayList;
import java.util.List;

/** A whole Anthropic {@code message} answer as a canonical {@link ChatResponse}. Thread-safe. */
final class MessageDecoder {
  private final ObjectMapper json;
  private final Blocks blocks;

  MessageDecoder(ObjectMapper json) {
    this.json = json;
    this.blocks = new Blocks(json);
  }

  ChatResponse decode(byte[] body, long created) {
    ObjectNode message;
    try {
      JsonNode root = json.readTree(body);
      if (root == null) {
        throw new TranslationException(AnthropicRequestDecoder.BODY, "the answer is empty");
      }
      message = Fields.object(root, AnthropicRequestDecoder.BODY);
    } catch (JacksonException e) {
      throw new TranslationException(AnthropicRequestDecoder.BODY, "the answer is not valid JSON: "
          + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new TranslationException(AnthropicRequestDecoder.BODY, "the answer is not valid JSON: " + e.getMessage());
    }
    String type = Fields.optionalString(message, "type", "");
    if (!"message".equals(type)) {
      throw new TranslationException("type", "expected an Anthropic message, got type '" + type + "'");
    }
    JsonNode contentNode = Fields.get(message, "content");
    ArrayNode content = contentNode == null ? json.createArrayNode() : Fields.array(contentNode, "content");
    List<Part> parts = new ArrayList<>(content.size());
    for (int i = 0; i < content.size(); i++) {
      parts.add(blocks.readResponseBlock(content.get(i), index("content", i)));
    }
    String reason = Fields.optionalString(message, "stop_reason", "");
    StopReason stop = reason == null ? StopReason.OTHER : StopReasons.fromAnthropic(reason);
    return new ChatResponse(
        Fields.requiredString(message, "id", ""),
        Fields.optionalString(message, "model", ""),
        created,
        List.of(new ChatResponse.Candidate(0, parts, stop, Fields.optionalString(message, "stop_sequence", ""))),
        UsageFields.Counts.NONE.update(message.get("usage")).toUsage());
  }
}
