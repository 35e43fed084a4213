package dev.tollgate.protocol.openai.responses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.Usage;

/**
 * The pieces of a {@code response} object both encoders write: the object itself, its output items
 * and usage. Ids are derived from the upstream's answer id ({@code resp_<id>}, {@code msg_<id>_<n>}):
 * stable for one answer, distinct between answers, and traceable to the upstream's logs.
 */
final class ResponseObjects {
  private final ObjectMapper json;
  private final ObjectNode echo;

  ResponseObjects(ObjectMapper json, ObjectNode echo) {
    this.json = json;
    this.echo = echo;
  }

  /** The id's characters that are safe in every id position (letters, digits, '_' and '-'). */
  static String base(String upstreamId) {
    String cleaned = upstreamId == null ? "" : upstreamId.replaceAll("[^A-Za-z0-9_-]", "");
    return cleaned.isEmpty() ? "0" : cleaned;
  }

  static String responseId(String upstreamId) {
    return "resp_" + base(upstreamId);
  }

  static String itemId(String prefix, String upstreamId, int outputIndex) {
    return prefix + "_" + base(upstreamId) + "_" + outputIndex;
  }

  /** A response object with an empty output, in the given status; fields in the API's order. */
  ObjectNode response(String upstreamId, String model, long created, String status) {
    ObjectNode out = json.createObjectNode();
    out.put("id", responseId(upstreamId));
    out.put("object", "response");
    out.put("created_at", created);
    out.put("status", status);
    out.put("background", echo.get("background").asBoolean());
    out.putNull("error");
    out.putNull("incomplete_details");
    out.set("instructions", echo.get("instructions"));
    out.set("max_output_tokens", echo.get("max_output_tokens"));
    out.put("model", model);
    out.putArray("output");
    for (String field : new String[] {"parallel_tool_calls", "previous_response_id", "reasoning", "store",
        "temperature", "text", "tool_choice", "tools", "top_p", "truncation"}) {
      out.set(field, echo.get(field).deepCopy());
    }
    out.putNull("usage");
    out.set("user", echo.get("user"));
    out.set("safety_identifier", echo.get("safety_identifier"));
    out.set("metadata", echo.get("metadata").deepCopy());
    return out;
  }

  /**
   * Sets the final status from the stop reason: the API reports a cut-off answer as
   * {@code incomplete} with the reason, and every other end as {@code completed}.
   */
  static void finish(ObjectNode response, StopReason reason) {
    String incomplete = incompleteReason(reason);
    if (incomplete == null) {
      response.put("status", "completed");
    } else {
      response.put("status", "incomplete");
      response.putObject("incomplete_details").put("reason", incomplete);
    }
  }

  static String incompleteReason(StopReason reason) {
    return switch (reason) {
      case MAX_TOKENS -> "max_output_tokens";
      case CONTENT_FILTER -> "content_filter";
      case END, STOP_SEQUENCE, TOOL_CALLS, OTHER -> null;
    };
  }

  ObjectNode message(String id, String status, String text) {
    ObjectNode item = json.createObjectNode();
    item.put("id", id).put("type", "message").put("status", status).put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (text != null) {
      content.add(outputText(text));
    }
    return item;
  }

  ObjectNode outputText(String text) {
    ObjectNode part = json.createObjectNode().put("type", "output_text");
    part.putArray("annotations");
    part.putArray("logprobs");
    return part.put("text", text);
  }

  ObjectNode functionCall(String id, String callId, String name, String arguments, String status) {
    return json.createObjectNode().put("id", id).put("type", "function_call").put("status", status)
        .put("arguments", arguments).put("call_id", callId).put("name", name);
  }

  /**
   * A reasoning item; {@code text} (null or empty for none) is its summary and {@code token} (null
   * for none) its {@code encrypted_content}.
   */
  ObjectNode reasoning(String id, String text, String token) {
    ObjectNode item = json.createObjectNode().put("id", id).put("type", "reasoning");
    ArrayNode summary = item.putArray("summary");
    if (text != null && !text.isEmpty()) {
      summary.add(summaryText(text));
    }
    if (token != null) {
      item.put("encrypted_content", token);
    }
    return item;
  }

  ObjectNode summaryText(String text) {
    return json.createObjectNode().put("type", "summary_text").put("text", text);
  }

  /**
   * Usage in the Responses shape. Input counts cached and cache-written tokens and output counts
   * reasoning, as canonical usage does; {@code cache_write_tokens} is the API's newer field, which
   * the SDK requires.
   */
  ObjectNode usage(Usage usage) {
    ObjectNode out = json.createObjectNode();
    out.put("input_tokens", usage.input());
    out.putObject("input_tokens_details").put("cached_tokens", usage.cacheRead())
        .put("cache_write_tokens", usage.cacheWrite());
    out.put("output_tokens", usage.output());
    out.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoning());
    out.put("total_tokens", usage.input() + usage.output());
    return out;
  }
}
