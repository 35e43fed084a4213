package dev.tollgate.protocol.openai.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;

/**
 * Writes a canonical answer as an OpenAI {@code chat.completion} object. One message per candidate:
 * its text parts joined into {@code content} (null when there is none, as OpenAI sends with tool
 * calls), reasoning joined into {@code reasoning_content} (the field OpenAI-compatible clients read
 * it from), tool calls in order. Anthropic's thinking signatures have no OpenAI field and a caller
 * of this format could not send them back anyway, so they are not written. Thread-safe.
 */
public final class OpenAiResponseEncoder {
  private final ObjectMapper json;

  public OpenAiResponseEncoder(ObjectMapper json) {
    this.json = json;
  }

  public ObjectNode encode(ChatResponse response) {
    ObjectNode out = json.createObjectNode();
    out.put("id", response.id());
    out.put("object", "chat.completion");
    out.put("created", response.created());
    out.put("model", response.model());
    ArrayNode choices = out.putArray("choices");
    for (int i = 0; i < response.candidates().size(); i++) {
      ChatResponse.Candidate candidate = response.candidates().get(i);
      ObjectNode choice = choices.addObject();
      choice.put("index", candidate.index());
      message(candidate, "candidates[" + i + "]", choice.putObject("message"));
      choice.putNull("logprobs");
      choice.put("finish_reason", ChatWire.finishReason(candidate.stopReason()));
    }
    if (response.usage() != null) {
      ChatWire.writeUsage(response.usage(), out.putObject("usage"));
    }
    return out;
  }

  private void message(ChatResponse.Candidate candidate, String at, ObjectNode message) {
    StringBuilder text = null;
    StringBuilder reasoning = null;
    ArrayNode calls = json.createArrayNode();
    for (int j = 0; j < candidate.parts().size(); j++) {
      Part part = candidate.parts().get(j);
      String partPath = at + ".parts[" + j + "]";
      switch (part) {
        case Part.Text t -> text = (text == null ? new StringBuilder() : text).append(t.text());
        case Part.Reasoning r -> {
          if (!r.text().isEmpty()) { // redacted thinking has no text to show
            reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(r.text());
          }
        }
        case Part.ToolCall c -> {
          ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
          call.putObject("function").put("name", c.name())
              .put("arguments", c.argumentsJson() == null ? "" : c.argumentsJson());
        }
        case Part.Image i -> throw new TranslationException(partPath,
            "an OpenAI chat answer cannot carry an image the model produced");
        case Part.ToolResult r -> throw new TranslationException(partPath, "an answer cannot hold a tool result");
      }
    }
    message.put("role", "assistant");
    if (text == null) {
      message.putNull("content");
    } else {
      message.put("content", text.toString());
    }
    if (reasoning != null) {
      message.put("reasoning_content", reasoning.toString());
    }
    if (!calls.isEmpty()) {
      message.set("tool_calls", calls);
    }
    message.putNull("refusal");
    message.putArray("annotations");
  }
}
