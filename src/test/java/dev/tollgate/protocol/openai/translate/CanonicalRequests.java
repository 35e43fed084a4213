package dev.tollgate.protocol.openai.translate;

import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds canonical requests for tests, with every field at its "not given" value. */
final class CanonicalRequests {
  String model = "m";
  List<Part.Text> system = new ArrayList<>();
  List<Message> messages = new ArrayList<>();
  Integer maxTokens;
  Double temperature;
  Double topP;
  Integer topK;
  List<String> stop = new ArrayList<>();
  List<Tool> tools = new ArrayList<>();
  ToolChoice toolChoice;
  Boolean parallelToolCalls;
  ResponseFormat responseFormat;
  int candidates = 1;
  boolean stream;
  String user;
  Map<String, String> extensions = new LinkedHashMap<>();
  Extensions.Dialect dialect = Extensions.Dialect.OPENAI;

  static CanonicalRequests with(Message... messages) {
    CanonicalRequests b = new CanonicalRequests();
    b.messages.addAll(List.of(messages));
    return b;
  }

  ChatRequest build() {
    return new ChatRequest(model, system, messages, maxTokens, temperature, topP, topK, stop, tools, toolChoice,
        parallelToolCalls, responseFormat, candidates, stream, user, new Extensions(dialect, extensions));
  }
}
