package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.openai.SseSplitter;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decodes {@code streamGenerateContent?alt=sse}: every {@code data:} event is a whole
 * {@code GenerateContentResponse} whose parts continue the previous one's. Gemini sends each
 * function call whole, so a call becomes one {@link StreamEvent.ToolCallStart} and one
 * {@link StreamEvent.ToolCallDelta} with all its arguments. Usage arrives, growing, on every chunk;
 * the last one is reported once at the end. Gemini has no end marker: a stream is complete when it
 * closes after every candidate gave a finish reason.
 *
 * <p>A prompt refused before any answer began throws {@link GeminiBlockedException} from
 * {@link #feed}, so the router can still fall back; once the answer has begun, a refusal ends it with
 * {@code Finish(CONTENT_FILTER)}. Not thread-safe: one per stream, on its event loop.
 */
final class GeminiStreamDecoder implements StreamDecoder {
  /** No chunk carries more than text and function calls; this bounds a runaway event. */
  static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

  private final ObjectMapper json;
  private final SseSplitter splitter = new SseSplitter(MAX_EVENT_BYTES);
  private final Map<Integer, CandidateState> candidates = new TreeMap<>();
  private final int[] nextCall = {0};
  private JsonNode lastUsage;
  private boolean started;
  private boolean failed;
  private boolean ended;
  private int chunks;

  /** What one candidate has done so far. */
  private static final class CandidateState {
    int tools;
    boolean finished;
  }

  GeminiStreamDecoder(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    if (failed) {
      return List.of(); // the error event ended the answer; nothing after it means anything
    }
    if (ended) {
      throw new TranslationException("stream", "bytes after the end of the stream");
    }
    List<Buffer> events;
    try {
      events = splitter.feed(chunk);
    } catch (IllegalStateException e) {
      throw new TranslationException("stream", e.getMessage());
    }
    List<StreamEvent> out = new ArrayList<>();
    for (Buffer event : events) {
      if (!failed) {
        handle(event, out);
      }
    }
    return out;
  }

  @Override
  public List<StreamEvent> end() {
    if (failed || ended) {
      return List.of();
    }
    ended = true;
    if (splitter.pendingBytes() > 0) {
      throw new TranslationException("stream", "the stream ended in the middle of an event");
    }
    if (candidates.isEmpty() || candidates.values().stream().anyMatch(c -> !c.finished)) {
      throw new TranslationException("stream", "the stream ended before Gemini gave a finish reason");
    }
    List<StreamEvent> out = new ArrayList<>(2);
    if (lastUsage != null) {
      out.add(new StreamEvent.UsageReport(Answers.usage(lastUsage)));
    }
    out.add(new StreamEvent.End());
    return out;
  }

  private void handle(Buffer event, List<StreamEvent> out) {
    String data = data(event.toString(StandardCharsets.UTF_8));
    if (data == null) {
      return; // comments and fields without data
    }
    String field = "stream[" + chunks++ + "]";
    JsonNode root;
    try {
      root = json.readTree(data);
    } catch (java.io.IOException e) {
      throw new TranslationException(field, "an event's data is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new TranslationException(field, "an event's data is not a JSON object");
    }
    JsonNode error = root.get("error");
    if (error != null && error.isObject()) {
      failed = true;
      out.add(new StreamEvent.Failure(error.path("status").asText("error"),
          error.path("message").asText("Gemini reported an error in the stream")));
      return;
    }
    JsonNode usage = root.get("usageMetadata");
    if (usage != null && usage.isObject()) {
      lastUsage = usage;
    }
    JsonNode list = root.get("candidates");
    boolean none = list == null || list.isNull() || (list.isArray() && list.isEmpty());
    if (none) {
      GeminiBlockedException blocked = Answers.blocked(root);
      if (blocked != null && !started) {
        throw blocked;
      }
      start(root, out);
      if (blocked != null) {
        candidates.computeIfAbsent(0, k -> new CandidateState());
        candidates.forEach((index, state) -> finish(index, state, StopReason.CONTENT_FILTER, out));
      }
      return;
    }
    if (!list.isArray()) {
      throw new TranslationException(field + ".candidates", "candidates must be an array");
    }
    start(root, out);
    for (int i = 0; i < list.size(); i++) {
      candidate(list.get(i), i, field + ".candidates[" + i + "]", out);
    }
  }

  private void candidate(JsonNode c, int position, String field, List<StreamEvent> out) {
    int index = c.path("index").asInt(position);
    CandidateState state = candidates.computeIfAbsent(index, k -> new CandidateState());
    List<Part> parts = Answers.parts(json, c.path("content").get("parts"), field + ".content.parts", nextCall);
    if (state.finished && !parts.isEmpty()) {
      throw new TranslationException(field, "content after the candidate's finish reason");
    }
    for (Part p : parts) {
      switch (p) {
        case Part.Text t -> out.add(new StreamEvent.TextDelta(index, t.text()));
        case Part.Reasoning r -> {
          // Text and signature as separate deltas: a signature completes a reasoning block.
          if (!r.text().isEmpty()) {
            out.add(new StreamEvent.ReasoningDelta(index, r.text(), null));
          }
          if (r.signature() != null) {
            out.add(new StreamEvent.ReasoningDelta(index, "", r.signature()));
          }
        }
        case Part.ToolCall call -> {
          int toolIndex = state.tools++;
          out.add(new StreamEvent.ToolCallStart(index, toolIndex, call.id(), call.name()));
          out.add(new StreamEvent.ToolCallDelta(index, toolIndex, call.argumentsJson()));
        }
        default -> throw new TranslationException(field, "unexpected part " + p.getClass().getSimpleName());
      }
    }
    String reason = c.path("finishReason").asText("");
    if (!reason.isEmpty() && !reason.equals("FINISH_REASON_UNSPECIFIED") && !state.finished) {
      finish(index, state, Answers.stopReason(reason, state.tools > 0), out);
    }
  }

  private void start(JsonNode root, List<StreamEvent> out) {
    if (!started) {
      started = true;
      out.add(new StreamEvent.Start(Answers.text(root, "responseId"), Answers.text(root, "modelVersion"),
          Answers.created(root)));
    }
  }

  private static void finish(int index, CandidateState state, StopReason reason, List<StreamEvent> out) {
    if (!state.finished) {
      state.finished = true;
      out.add(new StreamEvent.Finish(index, reason));
    }
  }

  /** The event's data lines joined by newlines, as the SSE specification says; null when it has none. */
  private static String data(String event) {
    StringBuilder data = null;
    for (String line : event.split("\r\n|\r|\n")) {
      if (line.startsWith("data:")) {
        String value = line.substring(5);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
    }
    return data == null ? null : data.toString();
  }
}
