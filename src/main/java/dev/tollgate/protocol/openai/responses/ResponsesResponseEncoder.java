package dev.tollgate.protocol.openai.responses;

import dev.tollgate.protocol.openai.translate.Fields;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;

/**
 * Writes a canonical answer as a Responses API {@code response} object. Its parts become output
 * items in the order the model produced them: each run of text one {@code message} item, each tool
 * call one {@code function_call} item, and each run of reasoning one {@code reasoning} item with the
 * text as its summary. A signed or redacted reasoning part ends its item, which carries the
 * signature or data as {@code encrypted_content} (see {@link ReasoningToken}) so the caller can send
 * it back. Thread-safe.
 */
public final class ResponsesResponseEncoder {
  private final ObjectMapper json;

  public ResponsesResponseEncoder(ObjectMapper json) {
    this.json = json;
  }

  public Buffer encodeBuffer(ChatResponse response, ResponsesRequest request) {
    return Buffer.buffer(Fields.text(json, encode(response, request)));
  }

  public ObjectNode encode(ChatResponse response, ResponsesRequest request) {
    if (response.candidates().size() != 1) {
      throw new TranslationException("candidates",
          "a response holds one answer, not " + response.candidates().size());
    }
    ResponseObjects objects = new ResponseObjects(json, request.echo());
    ChatResponse.Candidate candidate = response.candidates().getFirst();
    ObjectNode out = objects.response(response.id(), response.model(), response.created(), "completed");
    ResponseObjects.finish(out, candidate.stopReason());
    String itemStatus = out.get("status").asText();
    ArrayNode output = (ArrayNode) out.get("output");
    StringBuilder text = null;
    StringBuilder reasoning = null;
    for (int j = 0; j < candidate.parts().size(); j++) {
      Part part = candidate.parts().get(j);
      if (!(part instanceof Part.Text) && text != null) {
        output.add(objects.message(itemId("msg", response, output), itemStatus, text.toString()));
        text = null;
      }
      if (!(part instanceof Part.Reasoning) && reasoning != null) {
        output.add(objects.reasoning(itemId("rs", response, output), reasoning.toString(), null));
        reasoning = null;
      }
      switch (part) {
        case Part.Text t -> text = (text == null ? new StringBuilder() : text).append(t.text());
        case Part.Reasoning r -> {
          String token = ReasoningToken.encode(json, r.signature(), r.redacted());
          if (r.redacted() != null && reasoning != null) {
            output.add(objects.reasoning(itemId("rs", response, output), reasoning.toString(), null));
            reasoning = null;
          }
          reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(r.text());
          // A signature or redacted data covers its own block: the block ends the item.
          if (token != null) {
            output.add(objects.reasoning(itemId("rs", response, output), reasoning.toString(), token));
            reasoning = null;
          }
        }
        case Part.ToolCall c -> output.add(objects.functionCall(itemId("fc", response, output), c.id(), c.name(),
            c.argumentsJson() == null ? "" : c.argumentsJson(), "completed"));
        case Part.Image i -> throw new TranslationException("candidates[0].parts[" + j + "]",
            "a Responses answer cannot carry an image the model produced");
        case Part.ToolResult r -> throw new TranslationException("candidates[0].parts[" + j + "]",
            "an answer cannot hold a tool result");
      }
    }
    if (reasoning != null && !reasoning.isEmpty()) {
      output.add(objects.reasoning(itemId("rs", response, output), reasoning.toString(), null));
    }
    if (text != null) {
      output.add(objects.message(itemId("msg", response, output), itemStatus, text.toString()));
    }
    if (response.usage() != null) {
      out.set("usage", objects.usage(response.usage()));
    }
    return out;
  }

  private static String itemId(String prefix, ChatResponse response, ArrayNode output) {
    return ResponseObjects.itemId(prefix, response.id(), output.size());
  }
}
