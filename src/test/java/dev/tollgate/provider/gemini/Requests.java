package dev.tollgate.provider.gemini;

import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import java.util.List;
import java.util.Map;

/** Canonical requests for the tests, with every optional field unset unless a test sets it. */
record Requests(
    List<Part.Text> system,
    List<Message> messages,
    Integer maxTokens,
    Double temperature,
    Double topP,
    Integer topK,
    List<String> stop,
    List<Tool> tools,
    ToolChoice toolChoice,
    Boolean parallelToolCalls,
    ResponseFormat responseFormat,
    int candidates,
    boolean stream,
    String user,
    Extensions extensions) {

  static Requests of(Message... messages) {
    return new Requests(List.of(), List.of(messages), null, null, null, null, List.of(), List.of(), null, null,
        null, 1, false, null, Extensions.NONE);
  }

  Requests system(String... texts) {
    return new Requests(List.of(texts).stream().map(Part.Text::new).toList(), messages, maxTokens, temperature,
        topP, topK, stop, tools, toolChoice, parallelToolCalls, responseFormat, candidates, stream, user, extensions);
  }

  Requests sampling(Integer maxTokens, Double temperature, Double topP, Integer topK, List<String> stop) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, responseFormat, candidates, stream, user, extensions);
  }

  Requests tools(ToolChoice choice, Tool... tools) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, List.of(tools), choice,
        parallelToolCalls, responseFormat, candidates, stream, user, extensions);
  }

  Requests parallelToolCalls(Boolean parallel) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice, parallel,
        responseFormat, candidates, stream, user, extensions);
  }

  Requests format(ResponseFormat format) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, format, candidates, stream, user, extensions);
  }

  Requests candidates(int n) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, responseFormat, n, stream, user, extensions);
  }

  Requests streaming() {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, responseFormat, candidates, true, user, extensions);
  }

  Requests user(String id) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, responseFormat, candidates, stream, id, extensions);
  }

  /** OpenAI chat-completions extensions. */
  Requests extensions(Map<String, String> ext) {
    return extensions(Extensions.openAi(ext));
  }

  /** Anthropic Messages extensions. */
  Requests anthropicExtensions(Map<String, String> ext) {
    return extensions(Extensions.anthropic(ext));
  }

  Requests extensions(Extensions ext) {
    return new Requests(system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, responseFormat, candidates, stream, user, ext);
  }

  ChatRequest build() {
    return new ChatRequest("caller-model", system, messages, maxTokens, temperature, topP, topK, stop, tools,
        toolChoice, parallelToolCalls, responseFormat, candidates, stream, user, extensions);
  }
}
