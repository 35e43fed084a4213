package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.Fields.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a canonical request as an OpenAI {@code /chat/completions} body: the reverse of
 * {@link OpenAiChatDecoder}, so a decoded OpenAI request comes back JSON-equal (in the normal form
 * described on {@link #encode}). Errors name the canonical field ({@code messages[2].parts[1]}).
 * Thread-safe.
 *
 * <p>Reasoning parts in assistant history: OpenAI's chat completions has no input for earlier
 * reasoning, and Anthropic's signed or redacted thinking can only be verified by Anthropic, so
 * neither carries anything an OpenAI-format model can use; they are dropped. Plain reasoning text
 * (from an OpenAI-compatible provider's {@code reasoning_content}) goes back as
 * {@code reasoning_content} to {@link OpenAiFlavor#COMPATIBLE} providers, because DeepSeek needs it
 * in tool-call loops and the others ignore it.
 */
public final class OpenAiChatEncoder {

  private final ObjectMapper json;
  private final OpenAiFlavor flavor;

  public OpenAiChatEncoder(ObjectMapper json, OpenAiFlavor flavor) {
    this.json = json;
    this.flavor = flavor;
  }

  /**
   * The request body. Normal form: defaults are left out ({@code n} 1, {@code stream} false), stop
   * sequences are an array, one text part is a string, the output cap is the flavor's field, and a
   * stream asks for usage ({@code stream_options.include_usage}) so it can be billed.
   */
  public ObjectNode encode(ChatRequest request) {
    ObjectNode body = json.createObjectNode();
    body.put("model", request.model());
    body.set("messages", messages(request));
    if (request.maxTokens() != null) {
      body.put(flavor == OpenAiFlavor.OPENAI ? "max_completion_tokens" : "max_tokens", request.maxTokens());
    }
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.topK() != null) {
      if (flavor == OpenAiFlavor.OPENAI) {
        throw new TranslationException("topK", "OpenAI models have no top_k sampling parameter");
      }
      body.put("top_k", request.topK());
    }
    if (!request.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      request.stop().forEach(stop::add);
    }
    if (request.candidates() != 1) {
      body.put("n", request.candidates());
    }
    if (request.stream()) {
      body.put("stream", true);
      body.putObject("stream_options").put("include_usage", true);
    }
    tools(request, body);
    if (request.responseFormat() != null) {
      body.set("response_format", responseFormat(request.responseFormat(), request.extensions()));
    }
    if (request.user() != null) {
      body.put("user", request.user());
    }
    extensions(request, body);
    return body;
  }

  private ArrayNode messages(ChatRequest request) {
    ArrayNode out = json.createArrayNode();
    for (Part.Text text : request.system()) {
      out.addObject().put("role", "system").put("content", text.text());
    }
    for (int i = 0; i < request.messages().size(); i++) {
      Message m = request.messages().get(i);
      String at = index("messages", i);
      switch (m.role()) {
        case USER -> user(m, at, out);
        case ASSISTANT -> assistant(m, at, out);
        case TOOL -> {
          for (int j = 0; j < m.parts().size(); j++) {
            if (!(m.parts().get(j) instanceof Part.ToolResult result)) {
              throw new TranslationException(index(at + ".parts", j), "a tool message holds only tool results");
            }
            out.add(toolMessage(result, index(at + ".parts", j)));
          }
        }
      }
    }
    return out;
  }

  /**
   * Tool results in a user turn (Anthropic's layout) become {@code tool} messages ahead of the rest
   * of the turn, which is where OpenAI wants them: right after the assistant's calls.
   */
  private void user(Message m, String at, ArrayNode out) {
    List<Part> rest = new ArrayList<>();
    for (int j = 0; j < m.parts().size(); j++) {
      Part part = m.parts().get(j);
      String partPath = index(at + ".parts", j);
      switch (part) {
        case Part.ToolResult result -> out.add(toolMessage(result, partPath));
        case Part.Text t -> rest.add(t);
        case Part.Image img -> rest.add(img);
        case Part.ToolCall c -> throw new TranslationException(partPath, "a user message cannot hold a tool call");
        case Part.Reasoning r -> throw new TranslationException(partPath, "a user message cannot hold reasoning");
      }
    }
    if (rest.isEmpty()) {
      if (m.parts().isEmpty()) {
        out.addObject().put("role", "user").put("content", "");
      }
      return;
    }
    ObjectNode message = out.addObject().put("role", "user");
    if (rest.size() == 1 && rest.getFirst() instanceof Part.Text t) {
      message.put("content", t.text());
      return;
    }
    ArrayNode content = message.putArray("content");
    for (Part part : rest) {
      switch (part) {
        case Part.Text t -> content.addObject().put("type", "text").put("text", t.text());
        case Part.Image img -> {
          ObjectNode image = content.addObject().put("type", "image_url").putObject("image_url");
          image.put("url", img.url() != null ? img.url() : new DataUrl(img.mediaType(), img.base64()).url());
          if (img.detail() != null) {
            image.put("detail", img.detail());
          }
        }
        default -> throw new IllegalStateException("only text and images are kept for the user message");
      }
    }
  }

  private void assistant(Message m, String at, ArrayNode out) {
    List<String> texts = new ArrayList<>();
    StringBuilder reasoning = null;
    ArrayNode calls = json.createArrayNode();
    for (int j = 0; j < m.parts().size(); j++) {
      Part part = m.parts().get(j);
      String partPath = index(at + ".parts", j);
      switch (part) {
        case Part.Text t -> texts.add(t.text());
        case Part.ToolCall c -> {
          ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
          call.putObject("function").put("name", c.name())
              .put("arguments", c.argumentsJson() == null ? "" : c.argumentsJson());
        }
        case Part.Reasoning r -> {
          if (flavor == OpenAiFlavor.COMPATIBLE && r.signature() == null && r.redacted() == null) {
            reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(r.text());
          }
        }
        case Part.Image img -> throw new TranslationException(partPath,
            "an assistant message in an OpenAI request cannot hold an image");
        case Part.ToolResult r -> throw new TranslationException(partPath,
            "an assistant message cannot hold a tool result");
      }
    }
    if (texts.isEmpty() && calls.isEmpty() && reasoning == null) {
      return; // nothing but reasoning this target cannot take
    }
    ObjectNode message = out.addObject().put("role", "assistant");
    if (texts.isEmpty() && !calls.isEmpty()) {
      message.putNull("content");
    } else if (texts.isEmpty()) {
      message.put("content", ""); // compatible servers want content when there are no tool calls
    } else if (texts.size() == 1) {
      message.put("content", texts.getFirst());
    } else {
      ArrayNode content = message.putArray("content");
      texts.forEach(t -> content.addObject().put("type", "text").put("text", t));
    }
    if (reasoning != null) {
      message.put("reasoning_content", reasoning.toString());
    }
    if (!calls.isEmpty()) {
      message.set("tool_calls", calls);
    }
  }

  /**
   * OpenAI's tool messages have no error flag; a failed call's result says so in its text, which
   * is how the model learns it failed, rather than being refused or passed off as a success.
   */
  private ObjectNode toolMessage(Part.ToolResult result, String at) {
    ObjectNode message = json.createObjectNode().put("role", "tool").put("tool_call_id", result.toolCallId());
    List<String> texts = new ArrayList<>();
    for (int k = 0; k < result.content().size(); k++) {
      if (!(result.content().get(k) instanceof Part.Text t)) {
        throw new TranslationException(index(at + ".content", k),
            "OpenAI tool messages hold only text; an image in a tool result cannot be sent");
      }
      texts.add(t.text());
    }
    if (result.isError()) {
      texts = texts.isEmpty() ? List.of("Error") : prefixFirst("Error: ", texts);
    }
    if (texts.size() == 1) {
      message.put("content", texts.getFirst());
    } else if (texts.isEmpty()) {
      message.put("content", "");
    } else {
      ArrayNode content = message.putArray("content");
      texts.forEach(t -> content.addObject().put("type", "text").put("text", t));
    }
    return message;
  }

  private static List<String> prefixFirst(String prefix, List<String> texts) {
    List<String> out = new ArrayList<>(texts);
    out.set(0, prefix + out.getFirst());
    return out;
  }

  private void tools(ChatRequest request, ObjectNode body) {
    if (request.tools().isEmpty()) {
      // OpenAI refuses tool_choice and parallel_tool_calls without tools; none and auto mean the same
      // as leaving them out then, but forcing a call to a tool that is not there cannot be expressed.
      if (request.toolChoice() instanceof ToolChoice.Required || request.toolChoice() instanceof ToolChoice.Named) {
        throw new TranslationException("toolChoice", "a tool call is required but no tools are given");
      }
      return;
    }
    ArrayNode tools = body.putArray("tools");
    for (int i = 0; i < request.tools().size(); i++) {
      Tool tool = request.tools().get(i);
      ObjectNode function = tools.addObject().put("type", "function").putObject("function");
      function.put("name", tool.name());
      if (tool.description() != null) {
        function.put("description", tool.description());
      }
      if (tool.parametersJson() != null) {
        function.set("parameters", Fields.parse(json, tool.parametersJson(), index("tools", i) + ".parametersJson"));
      }
      if (tool.strict() != null) {
        function.put("strict", tool.strict());
      }
    }
    if (request.toolChoice() != null) {
      body.set("tool_choice", switch (request.toolChoice()) {
        case ToolChoice.Auto a -> json.getNodeFactory().textNode("auto");
        case ToolChoice.None n -> json.getNodeFactory().textNode("none");
        case ToolChoice.Required r -> json.getNodeFactory().textNode("required");
        case ToolChoice.Named named -> {
          ObjectNode choice = json.createObjectNode().put("type", "function");
          choice.putObject("function").put("name", named.name());
          yield choice;
        }
      });
    }
    if (request.parallelToolCalls() != null) {
      body.put("parallel_tool_calls", request.parallelToolCalls());
    }
  }

  private ObjectNode responseFormat(ResponseFormat format, Extensions extensions) {
    ObjectNode out = json.createObjectNode();
    switch (format) {
      case ResponseFormat.Text t -> out.put("type", "text");
      case ResponseFormat.JsonObject o -> out.put("type", "json_object");
      case ResponseFormat.JsonSchema s -> {
        out.put("type", "json_schema");
        ObjectNode schema = out.putObject("json_schema");
        // OpenAI requires a name; formats without one (Gemini's responseSchema) get a neutral one.
        schema.put("name", s.name() != null ? s.name() : "response");
        String description = extensions.fields().get(OpenAiChatDecoder.SCHEMA_DESCRIPTION_KEY);
        if (description != null) {
          schema.set("description", Fields.parse(json, description, OpenAiChatDecoder.SCHEMA_DESCRIPTION_KEY));
        }
        if (s.schemaJson() != null) {
          schema.set("schema", Fields.parse(json, s.schemaJson(), "responseFormat.schemaJson"));
        }
        if (s.strict()) {
          schema.put("strict", true);
        }
      }
    }
    return out;
  }

  /**
   * Writes OpenAI extensions back: top-level fields verbatim, and the one nested key the decoder
   * keeps (the schema's description). Any other nested key, or one that would overwrite a field
   * this encoder writes, cannot be expressed and is refused. Another format's extensions mean
   * nothing here: the ones about the caller's own platform are dropped, the rest refused by name
   * (an OpenAI-compatible server would reject them, or worse, ignore them).
   */
  private void extensions(ChatRequest request, ObjectNode body) {
    Extensions extensions = request.extensions();
    for (Map.Entry<String, String> e : extensions.sorted().entrySet()) {
      String key = e.getKey();
      if (!extensions.from(Extensions.Dialect.OPENAI)) {
        if (!extensions.platformOnly(key)) {
          throw extensions.unsupported(key, "an OpenAI chat completions request");
        }
      } else if (key.equals(OpenAiChatDecoder.SCHEMA_DESCRIPTION_KEY)) {
        if (!(request.responseFormat() instanceof ResponseFormat.JsonSchema)) {
          throw new TranslationException(key, "'" + key + "' needs a json_schema response format");
        }
      } else if (key.contains(".") || key.contains("[") || OpenAiChatDecoder.MAPPED.contains(key)) {
        throw new TranslationException(key, "'" + key + "' cannot be expressed in an OpenAI chat request");
      } else {
        JsonNode value = Fields.parse(json, e.getValue(), key);
        body.set(key, value);
      }
    }
  }
}
