package dev.tollgate.protocol.openai.responses;

import dev.tollgate.protocol.openai.translate.Fields;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A reasoning item's {@code encrypted_content} as Tollgate writes it: the upstream's reasoning
 * signature (Anthropic's thinking signature, Gemini's thought signature) or redacted data, wrapped
 * so a Responses caller can send the item back and the upstream can verify its earlier reasoning, as
 * Anthropic requires in tool loops with thinking. Not encrypted: the wrapped values are opaque
 * tokens the upstream issued, which its own callers see too. Content encrypted by OpenAI has no
 * prefix and is refused on decode: only OpenAI can read it.
 */
final class ReasoningToken {
  static final String PREFIX = "tollgate.reasoning.v1.";

  private ReasoningToken() {}

  /** The token, or null when the part carries nothing to send back. */
  static String encode(ObjectMapper json, String signature, String redacted) {
    if (signature == null && redacted == null) {
      return null;
    }
    ObjectNode token = json.createObjectNode();
    if (signature != null) {
      token.put("signature", signature);
    }
    if (redacted != null) {
      token.put("redacted", redacted);
    }
    byte[] bytes = Fields.text(json, token).getBytes(StandardCharsets.UTF_8);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The reasoning part an item with this token and summary text stands for. */
  static Part.Reasoning decode(ObjectMapper json, String token, String text, String path) {
    if (!token.startsWith(PREFIX)) {
      throw new TranslationException(path, "'" + path + "' was encrypted by OpenAI and cannot be translated for"
          + " this model; leave reasoning items out when switching models");
    }
    JsonNode node;
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(token.substring(PREFIX.length()));
      node = Fields.parse(json, new String(bytes, StandardCharsets.UTF_8), path);
    } catch (IllegalArgumentException e) {
      throw new TranslationException(path, "'" + path + "' is not reasoning content Tollgate wrote");
    }
    if (!node.isObject()) {
      throw new TranslationException(path, "'" + path + "' is not reasoning content Tollgate wrote");
    }
    String signature = Fields.string(node, "signature", path);
    String redacted = Fields.string(node, "redacted", path);
    if (redacted != null) {
      return new Part.Reasoning("", signature, redacted);
    }
    return new Part.Reasoning(text, signature, null);
  }
}
