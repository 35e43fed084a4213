package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a canonical request as a {@code GenerateContentRequest} body. Field paths in refusals follow
 * the canonical layout ({@code messages[i].content[j]}, {@code tools[i].function.parameters}).
 * Thread-safe: stateless apart from the mapper.
 */
final class RequestEncoder {
  private final ObjectMapper json;
  private final GenerationSettings settings;

  RequestEncoder(ObjectMapper json) {
    this.json = json;
    this.settings = new GenerationSettings(json);
  }

  ObjectNode encode(ChatRequest r) {
    if (Boolean.FALSE.equals(r.parallelToolCalls())) {
      throw new TranslationException("parallel_tool_calls",
          "Gemini cannot be limited to one function call per turn");
    }
    ObjectNode body = json.createObjectNode();
    body.set("contents", contents(r.messages()));
    List<Part.Text> system = r.system().stream().filter(t -> !t.text().isEmpty()).toList();
    if (!system.isEmpty()) {
      ArrayNode parts = body.putObject("systemInstruction").putArray("parts");
      system.forEach(t -> parts.addObject().put("text", t.text()));
    }
    Set<String> toolNames = tools(r.tools(), body);
    boolean strict = r.tools().stream().anyMatch(t -> Boolean.TRUE.equals(t.strict()));
    toolConfig(r.toolChoice(), strict, toolNames, body);
    ObjectNode config = settings.write(r);
    if (!config.isEmpty()) {
      body.set("generationConfig", config);
    }
    return body;
  }

  private ArrayNode contents(List<Message> messages) {
    if (messages.isEmpty()) {
      throw new TranslationException("messages", "Gemini needs at least one message");
    }
    ArrayNode contents = json.createArrayNode();
    // Gemini's function results carry the function's name, the canonical ones only the call's id;
    // the latest earlier call with that id wins, as ids generated per answer (call_0, ...) repeat.
    Map<String, String> callNames = new HashMap<>();
    ObjectNode current = null;
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String role = m.role() == Role.ASSISTANT ? "model" : "user";
      List<ObjectNode> parts = m.role() == Role.ASSISTANT ? modelParts(m, i, callNames) : userParts(m, i, callNames);
      if (parts.isEmpty()) {
        if (!m.parts().isEmpty() && m.parts().stream().allMatch(p -> p instanceof Part.Reasoning)) {
          continue; // only reasoning Gemini cannot take back: the turn has nothing left to say
        }
        throw new TranslationException("messages[" + i + "].content", "Gemini rejects a turn with no content");
      }
      // Gemini wants turns to alternate; tool results and the user's next words share one user turn.
      if (current == null || !current.get("role").asText().equals(role)) {
        current = contents.addObject();
        current.put("role", role);
        current.putArray("parts");
      }
      ((ArrayNode) current.get("parts")).addAll(parts);
    }
    if (contents.isEmpty()) {
      throw new TranslationException("messages", "nothing in the messages is content Gemini can take");
    }
    for (JsonNode content : contents) {
      if (content.get("role").asText().equals("model")) {
        signFirstCall((ArrayNode) content.get("parts"));
      }
    }
    return contents;
  }

  private List<ObjectNode> modelParts(Message m, int i, Map<String, String> callNames) {
    List<ObjectNode> parts = new ArrayList<>();
    String signature = null;
    for (int j = 0; j < m.parts().size(); j++) {
      String field = "messages[" + i + "].content[" + j + "]";
      ObjectNode part = switch (m.parts().get(j)) {
        case Part.Text t -> t.text().isEmpty() ? null : text(t.text());
        case Part.Image img -> ImageParts.write(img, field);
        case Part.ToolCall call -> {
          callNames.put(call.id(), call.name());
          yield functionCall(call, field);
        }
        case Part.Reasoning reasoning -> {
          // Gemini reads its reasoning back from signatures; unsigned thought text is a summary the
          // API does not take as context, and another provider's reasoning cannot be verified.
          String own = ThoughtSignatures.fromCanonical(reasoning.signature());
          if (own == null) {
            yield null;
          }
          if (signature != null) {
            parts.add(signatureOnly(signature));
            signature = null;
          }
          if (reasoning.text().isEmpty()) {
            signature = own; // it signed the part that follows
            yield null;
          }
          ObjectNode thought = text(reasoning.text());
          thought.put("thought", true);
          thought.put("thoughtSignature", own);
          parts.add(thought);
          yield null;
        }
        case Part.ToolResult r -> throw new TranslationException(field, "a tool result cannot be in an assistant turn");
      };
      if (part != null) {
        if (signature != null) {
          part.put("thoughtSignature", signature);
          signature = null;
        }
        parts.add(part);
      }
    }
    if (signature != null) {
      parts.add(signatureOnly(signature));
    }
    return parts;
  }

  private List<ObjectNode> userParts(Message m, int i, Map<String, String> callNames) {
    List<ObjectNode> parts = new ArrayList<>();
    List<ObjectNode> resultImages = new ArrayList<>();
    for (int j = 0; j < m.parts().size(); j++) {
      String field = "messages[" + i + "].content[" + j + "]";
      switch (m.parts().get(j)) {
        case Part.Text t when m.role() == Role.USER -> {
          if (!t.text().isEmpty()) {
            parts.add(text(t.text()));
          }
        }
        case Part.Image img when m.role() == Role.USER -> parts.add(ImageParts.write(img, field));
        case Part.ToolResult r -> parts.add(functionResponse(r, field, callNames, resultImages));
        default -> throw new TranslationException(field, "Gemini cannot take a "
            + m.parts().get(j).getClass().getSimpleName() + " part in a " + m.role().name().toLowerCase(Locale.ROOT)
            + " message");
      }
    }
    // Images a tool returned follow the function responses as parts of the same user turn: older
    // models take no images inside functionResponse.
    parts.addAll(resultImages);
    return parts;
  }

  private ObjectNode functionCall(Part.ToolCall call, String field) {
    JsonNode args;
    String text = call.argumentsJson();
    if (text == null || text.isBlank()) {
      args = json.createObjectNode();
    } else {
      try {
        args = json.readTree(text);
      } catch (JacksonException e) {
        throw new TranslationException(field + ".arguments", "the tool call's arguments are not valid JSON: "
            + e.getOriginalMessage());
      }
      if (!args.isObject()) {
        throw new TranslationException(field + ".arguments", "Gemini needs a tool call's arguments as a JSON object");
      }
    }
    ObjectNode part = json.createObjectNode();
    ObjectNode fc = part.putObject("functionCall");
    fc.put("name", call.name());
    fc.set("args", args);
    return part;
  }

  private ObjectNode functionResponse(Part.ToolResult r, String field, Map<String, String> callNames,
      List<ObjectNode> images) {
    String name = callNames.get(r.toolCallId());
    if (name == null) {
      throw new TranslationException(field + ".tool_call_id", "no earlier assistant tool call has id '"
          + r.toolCallId() + "'; Gemini needs the called function's name to send its result");
    }
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < r.content().size(); k++) {
      switch (r.content().get(k)) {
        case Part.Text t -> text.append(t.text());
        case Part.Image img -> images.add(ImageParts.write(img, field + ".content[" + k + "]"));
        default -> throw new TranslationException(field + ".content[" + k + "]",
            "a tool result holds only text and images");
      }
    }
    ObjectNode part = json.createObjectNode();
    ObjectNode fr = part.putObject("functionResponse");
    fr.put("name", name);
    // Google's convention: 'output' for the result, 'error' for a failure.
    fr.putObject("response").put(r.isError() ? "error" : "output", text.toString());
    return part;
  }

  private Set<String> tools(List<Tool> tools, ObjectNode body) {
    Set<String> names = new HashSet<>();
    if (tools.isEmpty()) {
      return names;
    }
    ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
    for (int i = 0; i < tools.size(); i++) {
      Tool tool = tools.get(i);
      ObjectNode d = declarations.addObject();
      d.put("name", tool.name());
      names.add(tool.name());
      if (tool.description() != null && !tool.description().isEmpty()) {
        d.put("description", tool.description());
      }
      if (tool.parametersJson() != null) {
        String field = "tools[" + i + "].function.parameters";
        JsonNode schema;
        try {
          schema = json.readTree(tool.parametersJson());
        } catch (JacksonException e) {
          throw new TranslationException(field, "not valid JSON: " + e.getOriginalMessage());
        }
        if (schema == null || !schema.isObject()) {
          throw new TranslationException(field, "the parameters schema must be a JSON object");
        }
        // parametersJsonSchema takes JSON Schema as is; 'parameters' would need an OpenAPI subset.
        d.set("parametersJsonSchema", schema);
      }
    }
    return names;
  }

  /**
   * Strict tools (arguments that match the schema exactly) are Gemini's VALIDATED mode when the model
   * may choose, and ANY already guarantees schema adherence when it must call. VALIDATED holds every
   * declared function to its schema, not only the strict ones: more than asked, never less.
   */
  private void toolConfig(ToolChoice choice, boolean strict, Set<String> toolNames, ObjectNode body) {
    if (choice == null) {
      if (!strict) {
        return;
      }
      choice = ToolChoice.AUTO;
    }
    ObjectNode config = json.createObjectNode();
    switch (choice) {
      case ToolChoice.Auto a -> config.put("mode", strict ? "VALIDATED" : "AUTO");
      case ToolChoice.None n -> config.put("mode", "NONE");
      case ToolChoice.Required req -> config.put("mode", "ANY");
      case ToolChoice.Named named -> {
        if (!toolNames.contains(named.name())) {
          throw new TranslationException("tool_choice", "the chosen tool '" + named.name() + "' is not among the tools");
        }
        config.put("mode", "ANY");
        config.putArray("allowedFunctionNames").add(named.name());
      }
    }
    if (toolNames.isEmpty()) {
      if (choice instanceof ToolChoice.Required) {
        throw new TranslationException("tool_choice", "a tool call is required but no tools are given");
      }
      return; // AUTO and NONE mean the same as saying nothing when there are no tools
    }
    body.putObject("toolConfig").set("functionCallingConfig", config);
  }

  /** Gemini 3 requires a signature on the first function call of each model step; see {@link ThoughtSignatures}. */
  private static void signFirstCall(ArrayNode parts) {
    for (JsonNode part : parts) {
      if (part.has("functionCall")) {
        if (!part.has("thoughtSignature")) {
          ((ObjectNode) part).put("thoughtSignature", ThoughtSignatures.SKIP_VALIDATOR);
        }
        return;
      }
    }
  }

  private ObjectNode text(String text) {
    ObjectNode part = json.createObjectNode();
    part.put("text", text);
    return part;
  }

  private ObjectNode signatureOnly(String signature) {
    ObjectNode part = text("");
    part.put("thoughtSignature", signature);
    return part;
  }
}
