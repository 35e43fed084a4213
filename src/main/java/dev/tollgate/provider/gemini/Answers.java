package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading that a whole answer and a streamed chunk share: parts, finish reasons, usage, the prompt
 * block. Both are {@code GenerateContentResponse} objects; a chunk is one whose parts continue the
 * previous chunk's.
 */
final class Answers {
  private Answers() {}

  /** Names a generated tool-call id: Gemini has none unless it sends {@code functionCall.id}. */
  static String callId(JsonNode functionCall, int n) {
    JsonNode id = functionCall.get("id");
    return id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : "call_" + n;
  }

  /**
   * A candidate's parts as canonical parts; {@code nextCall} numbers generated tool-call ids across
   * the answer. A signed part is preceded by a signature-only Reasoning (see {@link ThoughtSignatures}).
   */
  static List<Part> parts(ObjectMapper json, JsonNode parts, String field, int[] nextCall) {
    List<Part> out = new ArrayList<>();
    if (parts == null || parts.isNull()) {
      return out;
    }
    if (!parts.isArray()) {
      throw new TranslationException(field, "parts must be an array");
    }
    for (int j = 0; j < parts.size(); j++) {
      JsonNode p = parts.get(j);
      String pf = field + "[" + j + "]";
      if (!p.isObject()) {
        throw new TranslationException(pf, "a part must be an object");
      }
      JsonNode signature = p.get("thoughtSignature");
      String sig = signature != null && signature.isTextual() && !signature.asText().isEmpty()
          ? ThoughtSignatures.toCanonical(signature.asText()) : null;
      boolean thought = p.path("thought").asBoolean(false);
      JsonNode text = p.get("text");
      JsonNode call = p.get("functionCall");
      if (text != null && text.isTextual()) {
        if (thought) {
          out.add(new Part.Reasoning(text.asText(), sig, null));
          continue;
        }
        if (sig != null) {
          out.add(new Part.Reasoning("", sig, null));
        }
        if (!text.asText().isEmpty()) {
          out.add(new Part.Text(text.asText()));
        }
      } else if (call != null && call.isObject()) {
        if (sig != null) {
          out.add(new Part.Reasoning("", sig, null));
        }
        out.add(toolCall(json, call, pf + ".functionCall", nextCall[0]++));
      } else {
        String kind = contentField(p);
        if (kind != null) {
          throw new TranslationException(pf, "a Gemini part with " + kind
              + " has no canonical form (only text, thoughts and function calls are relayed)");
        }
        if (sig != null) { // a signature alone, as streams send on their last chunk
          out.add(new Part.Reasoning("", sig, null));
        }
      }
    }
    return out;
  }

  /** The first field that carries content other than a thought flag or signature, or null. */
  private static String contentField(JsonNode part) {
    for (var it = part.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("thought") && !f.equals("thoughtSignature")) {
        return f;
      }
    }
    return null;
  }

  static Part.ToolCall toolCall(ObjectMapper json, JsonNode call, String field, int n) {
    JsonNode name = call.get("name");
    if (name == null || !name.isTextual()) {
      throw new TranslationException(field + ".name", "a function call needs a name");
    }
    JsonNode args = call.get("args");
    String argsJson;
    if (args == null || args.isNull()) {
      argsJson = "{}";
    } else if (args.isObject()) {
      argsJson = args.toString();
    } else {
      throw new TranslationException(field + ".args", "a function call's args must be an object");
    }
    return new Part.ToolCall(callId(call, n), name.asText(), argsJson);
  }

  /** Gemini's finish reason in canonical terms; a stop with function calls means they are wanted. */
  static StopReason stopReason(String finishReason, boolean calledTools) {
    return switch (finishReason) {
      case "STOP" -> calledTools ? StopReason.TOOL_CALLS : StopReason.END;
      case "MAX_TOKENS" -> StopReason.MAX_TOKENS;
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
           "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> StopReason.CONTENT_FILTER;
      default -> StopReason.OTHER; // MALFORMED_FUNCTION_CALL, OTHER, LANGUAGE, UNEXPECTED_TOOL_CALL, ...
    };
  }

  /**
   * Canonical usage: input counts the prompt (cached tokens included, per Google) plus tool-use
   * prompt tokens, which Gemini counts apart; output counts the candidates plus the thoughts, which
   * Gemini also counts apart.
   */
  static Usage usage(JsonNode m) {
    if (m == null || !m.isObject()) {
      return Usage.NONE;
    }
    long prompt = m.path("promptTokenCount").asLong(0);
    long toolUse = m.path("toolUsePromptTokenCount").asLong(0);
    long candidates = m.path("candidatesTokenCount").asLong(0);
    long thoughts = m.path("thoughtsTokenCount").asLong(0);
    long cached = m.path("cachedContentTokenCount").asLong(0);
    return new Usage(prompt + toolUse, candidates + thoughts, cached, 0, thoughts);
  }

  /** Seconds since the epoch from Vertex's {@code createTime}; 0 when absent (Google AI sends none). */
  static long created(JsonNode root) {
    JsonNode t = root.get("createTime");
    if (t == null || !t.isTextual()) {
      return 0;
    }
    try {
      return Instant.parse(t.asText()).getEpochSecond();
    } catch (DateTimeParseException e) {
      throw new TranslationException("createTime", "not an RFC 3339 timestamp: " + t.asText());
    }
  }

  static String text(JsonNode root, String field) {
    JsonNode v = root.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  /** The prompt was refused: no candidates, and {@code promptFeedback.blockReason} says why. */
  static GeminiBlockedException blocked(JsonNode root) {
    JsonNode feedback = root.path("promptFeedback");
    String reason = feedback.path("blockReason").asText("");
    if (reason.isEmpty()) {
      return null;
    }
    JsonNode message = feedback.get("blockReasonMessage");
    return GeminiBlockedException.of(reason, message != null && message.isTextual() ? message.asText() : null,
        usage(root.get("usageMetadata")));
  }
}
