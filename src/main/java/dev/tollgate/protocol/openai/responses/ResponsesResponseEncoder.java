package dev.tollgate.protocol.openai.responses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;

/**
 * Writes a canonical answer as a Responses API {@code response} object. Its parts become output
 * items in the order the model produced them: each run of text one {@code message} item, each run
 * of reasoning one {@code reasoning} item (the text as its summary), each tool call one
 * {@code function_call} item. Reasoning with no text (Anthropic's redacted thinking) and thinking
 * signatures have no place a Responses caller could send back to another provider, so they are not
 * written. Thread-safe.
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
        output.add(objects.message(ResponseObjects.itemId("msg", response.id(), output.size()), itemStatus,
            text.toString()));
        text = null;
      }
      if (!(part instanceof Part.Reasoning) && reasoning != null) {
        output.add(objects.reasoning(ResponseObjects.itemId("rs", response.id(), output.size()),
            reasoning.toString()));
        reasoning = null;
      }
      switch (part) {
        case Part.Text t -> text = (text == null ? new StringBuilder() : text).append(t.text());
        case Part.Reasoning r -> {
          if (!r.text().isEmpty()) {
            reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(r.text());
          }
        }
        case Part.ToolCall c -> output.add(objects.functionCall(
            ResponseObjects.itemId("fc", response.id(), output.size()), c.id(), c.name(),
            c.argumentsJson() == null ? "" : c.argumentsJson(), "completed"));
        case Part.Image i -> throw new TranslationException("candidates[0].parts[" + j + "]",
            "a Responses answer cannot carry an image the model produced");
        case Part.ToolResult r -> throw new TranslationException("candidates[0].parts[" + j + "]",
            "an answer cannot hold a tool result");
      }
    }
    if (reasoning != null) {
      output.add(objects.reasoning(ResponseObjects.itemId("rs", response.id(), output.size()), reasoning.toString()));
    }
    if (text != null) {
      output.add(objects.message(ResponseObjects.itemId("msg", response.id(), output.size()), itemStatus,
          text.toString()));
    }
    if (response.usage() != null) {
      out.set("usage", objects.usage(response.usage()));
    }
    return out;
  }
}
