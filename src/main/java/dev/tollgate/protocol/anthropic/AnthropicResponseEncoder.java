package dev.tollgate.protocol.anthropic;

import static dev.tollgate.protocol.anthropic.Fields.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;

/**
 * A canonical answer as an Anthropic {@code message} object, for callers of {@code POST /v1/messages}.
 * {@code stop_sequence} is the matched stop sequence when the provider reported it, else null.
 * Thread-safe.
 */
public final class AnthropicResponseEncoder {
  private final ObjectMapper json;
  private final Blocks blocks;

  public AnthropicResponseEncoder(ObjectMapper json) {
    this.json = json;
    this.blocks = new Blocks(json);
  }

  /** The message as response body bytes; throws {@link TranslationException} for what Anthropic cannot express. */
  public Buffer encode(ChatResponse response) {
    return Buffer.buffer(json(response).toString());
  }

  /** The message as a JSON tree; throws {@link TranslationException} for what Anthropic cannot express. */
  public ObjectNode json(ChatResponse response) {
    if (response.candidates().size() != 1) {
      throw new TranslationException("n", "an Anthropic message holds exactly one answer, this one has "
          + response.candidates().size());
    }
    ChatResponse.Candidate candidate = response.candidates().getFirst();
    ObjectNode message = json.createObjectNode();
    message.put("id", response.id());
    message.put("type", "message");
    message.put("role", "assistant");
    ArrayNode content = message.putArray("content");
    for (int i = 0; i < candidate.parts().size(); i++) {
      Part part = candidate.parts().get(i);
      String path = index("content", i);
      switch (part) {
        case Part.Image _ -> throw new TranslationException(path, "an Anthropic answer cannot contain images");
        case Part.ToolResult _ -> throw new TranslationException(path, "an answer cannot contain tool results");
        // Reasoning from providers without signatures still reaches the caller; the empty signature
        // tells a later turn's encoder it cannot be sent back to Anthropic.
        case Part.Reasoning r when r.redacted() == null && r.signature() == null ->
            content.addObject().put("type", "thinking").put("thinking", r.text()).put("signature", "");
        default -> content.add(blocks.write(part, path));
      }
    }
    message.put("model", response.model());
    message.put("stop_reason", StopReasons.toAnthropic(candidate.stopReason()));
    if (candidate.stopSequence() == null) {
      message.putNull("stop_sequence");
    } else {
      message.put("stop_sequence", candidate.stopSequence());
    }
    UsageFields.write(response.usage(), message.putObject("usage"));
    return message;
  }
}
