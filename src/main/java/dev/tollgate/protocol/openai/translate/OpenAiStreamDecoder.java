package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.Fields.get;
import static dev.tollgate.protocol.openai.translate.Fields.index;
import static dev.tollgate.protocol.openai.translate.Fields.path;
import static dev.tollgate.protocol.openai.translate.Fields.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.protocol.openai.SseSplitter;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an OpenAI-compatible provider's chat stream into canonical events. Tolerates what compatible
 * servers do differently: no role chunk, usage on the last content chunk or on every chunk (the
 * last one seen wins, reported once before {@link StreamEvent.End}), {@code : keep-alive} comments,
 * reasoning as {@code reasoning_content} or {@code reasoning} deltas, a whole tool call in one chunk,
 * tool calls without an {@code index} or reusing index 0 with a new id, and Azure's content-filter
 * chunks (an opening one with an empty id and no choices, choices without a delta). An {@code error} object
 * becomes a {@link StreamEvent.Failure}; a stream that ends without {@code [DONE]} (and without an
 * error) is broken and throws {@link TranslationException}. Not thread-safe: one per stream.
 */
public final class OpenAiStreamDecoder implements StreamDecoder {
  /** A chunk may carry a whole tool call's arguments at once; beyond this it is a broken stream. */
  static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final ObjectMapper json;
  private final SseSplitter splitter = new SseSplitter(MAX_EVENT_BYTES);
  private final Map<Integer, Choice> choices = new HashMap<>();
  private boolean started;
  private boolean finished;
  private Usage usage;
  private TranslationException broken;

  public OpenAiStreamDecoder(ObjectMapper json) {
    this.json = json;
  }

  /**
   * {@inheritDoc}
   *
   * <p>When the bytes hold good events and then a broken one, the good events are returned and the
   * exception comes from the next call, so what the caller sees before the error does not depend on
   * how the network cut the stream.
   */
  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    throwPending();
    if (finished) {
      return List.of();
    }
    List<StreamEvent> out = new ArrayList<>();
    try {
      read(chunk, out);
    } catch (TranslationException e) {
      if (out.isEmpty()) {
        finished = true; // nothing after a protocol error is trusted
        throw e;
      }
      broken = e;
    }
    return out;
  }

  @Override
  public List<StreamEvent> end() {
    throwPending();
    if (finished) {
      return List.of();
    }
    throw new TranslationException("stream", "the provider's stream ended without [DONE]");
  }

  private void throwPending() {
    if (broken != null) {
      TranslationException e = broken;
      broken = null;
      finished = true;
      throw e;
    }
  }

  private void read(Buffer chunk, List<StreamEvent> out) {
    List<Buffer> events;
    try {
      events = splitter.feed(chunk);
    } catch (IllegalStateException e) {
      throw new TranslationException("stream", "the provider's stream is broken: " + e.getMessage());
    }
    for (Buffer event : events) {
      String data = data(event.toString(StandardCharsets.UTF_8));
      if (data == null || data.isBlank()) {
        continue; // comments (": keep-alive"), and fields other than data
      }
      if (data.strip().equals("[DONE]")) {
        if (!started) {
          start(new StreamEvent.Start("", "", 0), out);
        }
        reportUsage(out);
        out.add(new StreamEvent.End());
        finished = true;
        break;
      }
      chunk(parse(data), out);
      if (finished) {
        break;
      }
    }
  }

  /** The event's data lines joined with newlines, or null when it has none. */
  private static String data(String event) {
    StringBuilder data = null;
    for (String line : event.split("\r\n|\r|\n")) {
      if (line.startsWith("data:")) {
        String value = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return data == null ? null : data.toString();
  }

  private JsonNode parse(String data) {
    JsonNode node;
    try {
      node = json.readTree(data);
    } catch (IOException e) {
      throw new TranslationException("stream", "a chunk of the provider's stream is not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new TranslationException("stream", "a chunk of the provider's stream is not a JSON object");
    }
    return node;
  }

  private void chunk(JsonNode chunk, List<StreamEvent> out) {
    JsonNode error = get(chunk, "error");
    if (error != null) {
      if (started) {
        reportUsage(out);
      }
      out.add(failure(error));
      finished = true;
      return;
    }
    List<StreamEvent> events = new ArrayList<>();
    JsonNode list = Fields.array(chunk, "choices", "");
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        choice(list.get(i), index("choices", i), events);
      }
    }
    JsonNode usageNode = Fields.object(chunk, "usage", "");
    if (usageNode != null) {
      usage = ChatWire.readUsage(usageNode);
    }
    String id = Fields.string(chunk, "id", "");
    // Azure opens with a content-filter chunk whose id, model and created are empty: the answer
    // starts with the first chunk that names it or carries some of it.
    if (!started && ((id != null && !id.isEmpty()) || !events.isEmpty())) {
      JsonNode created = get(chunk, "created");
      if (created != null && !created.isIntegralNumber()) {
        throw wrongType("created", "an integer");
      }
      String model = Fields.string(chunk, "model", "");
      start(new StreamEvent.Start(id == null ? "" : id, model == null ? "" : model,
          created == null ? 0 : created.asLong()), out);
    }
    out.addAll(events);
  }

  private void start(StreamEvent.Start start, List<StreamEvent> out) {
    started = true;
    out.add(start);
  }

  private static StreamEvent.Failure failure(JsonNode error) {
    if (!error.isObject()) {
      return new StreamEvent.Failure("error", error.isTextual() ? error.asText() : error.toString());
    }
    String type = error.path("type").isTextual() ? error.get("type").asText()
        : error.path("code").isTextual() ? error.get("code").asText() : "error";
    String message = error.path("message").isTextual() ? error.get("message").asText() : error.toString();
    return new StreamEvent.Failure(type, message);
  }

  private void reportUsage(List<StreamEvent> out) {
    if (usage != null) {
      out.add(new StreamEvent.UsageReport(usage));
      usage = null;
    }
  }

  private void choice(JsonNode choice, String at, List<StreamEvent> out) {
    if (!choice.isObject()) {
      throw wrongType(at, "an object");
    }
    JsonNode indexNode = get(choice, "index");
    if (indexNode != null && !indexNode.isIntegralNumber()) {
      throw wrongType(path(at, "index"), "an integer");
    }
    int candidate = indexNode == null ? 0 : indexNode.asInt();
    Choice state = choices.computeIfAbsent(candidate, c -> new Choice());
    JsonNode delta = Fields.object(choice, "delta", at);
    String deltaPath = path(at, "delta");
    if (delta != null) {
      String reasoning = Fields.string(delta, "reasoning_content", deltaPath);
      if (reasoning == null) {
        reasoning = Fields.string(delta, "reasoning", deltaPath);
      }
      if (reasoning != null && !reasoning.isEmpty()) {
        out.add(new StreamEvent.ReasoningDelta(candidate, reasoning, null));
      }
      String content = Fields.string(delta, "content", deltaPath);
      if (content != null && !content.isEmpty()) {
        out.add(new StreamEvent.TextDelta(candidate, content));
      }
      String refusal = Fields.string(delta, "refusal", deltaPath);
      if (refusal != null && !refusal.isEmpty()) {
        state.refused = true;
        out.add(new StreamEvent.TextDelta(candidate, refusal));
      }
      JsonNode calls = Fields.array(delta, "tool_calls", deltaPath);
      if (calls != null) {
        for (int j = 0; j < calls.size(); j++) {
          toolCall(calls.get(j), index(path(deltaPath, "tool_calls"), j), candidate, state, out);
        }
      }
    }
    String finish = Fields.string(choice, "finish_reason", at);
    if (finish != null && !state.finished) {
      state.finished = true;
      out.add(new StreamEvent.Finish(candidate,
          state.refused ? StopReason.CONTENT_FILTER : ChatWire.stopReason(finish)));
    }
  }

  private void toolCall(JsonNode call, String at, int candidate, Choice state, List<StreamEvent> out) {
    if (!call.isObject()) {
      throw wrongType(at, "an object");
    }
    JsonNode indexNode = get(call, "index");
    if (indexNode != null && !indexNode.isIntegralNumber()) {
      throw wrongType(path(at, "index"), "an integer");
    }
    String id = Fields.string(call, "id", at);
    if (id != null && id.isEmpty()) {
      id = null;
    }
    JsonNode function = Fields.object(call, "function", at);
    String functionPath = path(at, "function");
    Integer tool = state.find(indexNode == null ? null : indexNode.asInt(), id);
    if (tool == null) {
      if (id == null) {
        throw new TranslationException(path(at, "id"), "the first chunk of a tool call has no id");
      }
      String name = function == null ? null : Fields.string(function, "name", functionPath);
      if (name == null || name.isEmpty()) {
        throw new TranslationException(path(functionPath, "name"), "the first chunk of a tool call has no name");
      }
      tool = state.open(indexNode == null ? null : indexNode.asInt(), id);
      out.add(new StreamEvent.ToolCallStart(candidate, tool, id, name));
    }
    if (function != null) {
      JsonNode args = get(function, "arguments");
      String fragment;
      if (args == null) {
        fragment = "";
      } else if (args.isTextual()) {
        fragment = args.asText();
      } else if (args.isObject()) {
        fragment = Fields.text(json, args);
      } else {
        throw wrongType(path(functionPath, "arguments"), "a string");
      }
      if (!fragment.isEmpty()) {
        out.add(new StreamEvent.ToolCallDelta(candidate, tool, fragment));
      }
    }
  }

  /** One choice's progress: which tool calls have begun, under which provider index and id. */
  private static final class Choice {
    final Map<Integer, Integer> byProviderIndex = new HashMap<>();
    final List<String> ids = new ArrayList<>();
    final Set<String> seenIds = new HashSet<>();
    int last = -1;
    boolean finished;
    boolean refused;

    /**
     * The call this fragment continues, or null when it begins one. A known index with a new id is
     * a new call (servers that send each whole call as index 0); without an index, a new id begins a
     * call and no id continues the last one.
     */
    Integer find(Integer providerIndex, String id) {
      if (providerIndex != null) {
        Integer tool = byProviderIndex.get(providerIndex);
        if (tool != null && id != null && !id.equals(ids.get(tool))) {
          return null;
        }
        return tool;
      }
      if (id != null && !seenIds.contains(id)) {
        return null;
      }
      if (id != null) {
        return ids.indexOf(id);
      }
      return last < 0 ? null : last;
    }

    int open(Integer providerIndex, String id) {
      int tool = ids.size();
      ids.add(id);
      seenIds.add(id);
      if (providerIndex != null) {
        byProviderIndex.put(providerIndex, tool);
      }
      last = tool;
      return tool;
    }
  }
}
