package dev.tollgate.provider.bedrock;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a ConverseStream answer (AWS event-stream frames, one JSON event per frame) into canonical
 * events. The stream ends cleanly ({@link StreamEvent.End}) only when {@code messageStop} and
 * {@code metadata} both arrived and the bytes ended on a frame boundary; a stream that stops short
 * ends with a {@link StreamEvent.Failure}, and bytes cut inside a frame are a
 * {@link TranslationException}. An exception frame becomes a Failure carrying its
 * {@code :exception-type}, and whatever follows it is ignored.
 *
 * <p>Redacted reasoning ({@code reasoningContent.redactedContent}, base64) becomes a reasoning delta
 * carrying it. Not thread-safe: one per stream, on its event loop.
 */
final class ConverseStreamDecoder implements StreamDecoder {
  private final ObjectMapper json;
  private final EventStreamFrames frames = new EventStreamFrames();
  /** Converse's contentBlockIndex of each tool-use block, to the canonical tool index. */
  private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
  private boolean started;
  private boolean stopped;
  private boolean metadata;
  /** A Failure or End was returned: nothing more comes out. */
  private boolean done;

  ConverseStreamDecoder(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    if (done) {
      return List.of();
    }
    List<StreamEvent> events = new ArrayList<>(2);
    for (EventStreamFrames.Frame frame : frames.feed(chunk)) {
      onFrame(frame, events);
      if (done) {
        break;
      }
    }
    return events;
  }

  @Override
  public List<StreamEvent> end() {
    if (done) {
      return List.of();
    }
    if (frames.pendingBytes() > 0) {
      throw new TranslationException("stream", "the event stream ended inside a message ("
          + frames.pendingBytes() + " bytes of it arrived)");
    }
    done = true;
    if (!stopped || !metadata) {
      return List.of(new StreamEvent.Failure("incomplete_stream",
          "the stream ended before " + (stopped ? "its metadata" : "messageStop")));
    }
    return List.of(new StreamEvent.End());
  }

  private void onFrame(EventStreamFrames.Frame frame, List<StreamEvent> out) {
    String messageType = frame.stringHeader(":message-type");
    switch (messageType) {
      case "event" -> onEvent(frame.stringHeader(":event-type"), payload(frame), out);
      case "exception" -> {
        String type = frame.stringHeader(":exception-type");
        out.add(new StreamEvent.Failure(type == null ? "exception" : type, message(frame)));
        done = true;
      }
      case "error" -> {
        String code = frame.stringHeader(":error-code");
        String message = frame.stringHeader(":error-message");
        out.add(new StreamEvent.Failure(code == null ? "error" : code, message == null ? "" : message));
        done = true;
      }
      case null -> throw new TranslationException("stream", "an event-stream message has no :message-type");
      default -> throw new TranslationException("stream", "unknown event-stream message type '" + messageType + "'");
    }
  }

  private void onEvent(String type, JsonNode event, List<StreamEvent> out) {
    if (type == null) {
      throw new TranslationException("stream", "an event has no :event-type");
    }
    if (!started) {
      out.add(new StreamEvent.Start(null, null, 0));
      started = true;
    }
    switch (type) {
      case "messageStart", "contentBlockStop" -> { }
      case "contentBlockStart" -> {
        JsonNode use = event.path("start").path("toolUse");
        if (use.isObject()) {
          int toolIndex = toolIndexByBlock.size();
          toolIndexByBlock.put(blockIndex(event, type), toolIndex);
          out.add(new StreamEvent.ToolCallStart(0, toolIndex, string(use, "toolUseId", type),
              string(use, "name", type)));
        }
      }
      case "contentBlockDelta" -> onDelta(event, out);
      case "messageStop" -> {
        out.add(new StreamEvent.Finish(0, ConverseResults.stopReason(string(event, "stopReason", type))));
        stopped = true;
      }
      case "metadata" -> {
        out.add(new StreamEvent.UsageReport(ConverseResults.usage(event.get("usage"), "metadata.usage")));
        metadata = true;
      }
      default -> { }
    }
  }

  private void onDelta(JsonNode event, List<StreamEvent> out) {
    JsonNode delta = event.get("delta");
    if (delta == null || !delta.isObject()) {
      throw new TranslationException("contentBlockDelta.delta", "missing or not an object");
    }
    if (delta.has("text")) {
      out.add(new StreamEvent.TextDelta(0, string(delta, "text", "contentBlockDelta.delta")));
    } else if (delta.has("toolUse")) {
      Integer toolIndex = toolIndexByBlock.get(blockIndex(event, "contentBlockDelta"));
      if (toolIndex == null) {
        throw new TranslationException("contentBlockDelta",
            "a toolUse delta for a block that did not start as a tool use");
      }
      out.add(new StreamEvent.ToolCallDelta(0, toolIndex,
          string(delta.get("toolUse"), "input", "contentBlockDelta.delta.toolUse")));
    } else if (delta.has("reasoningContent")) {
      JsonNode reasoning = delta.get("reasoningContent");
      if (reasoning.has("text")) {
        out.add(new StreamEvent.ReasoningDelta(0, string(reasoning, "text", "contentBlockDelta.delta.reasoningContent"),
            null));
      } else if (reasoning.has("signature")) {
        out.add(new StreamEvent.ReasoningDelta(0, "",
            string(reasoning, "signature", "contentBlockDelta.delta.reasoningContent")));
      } else if (reasoning.has("redactedContent")) {
        out.add(new StreamEvent.ReasoningDelta(0, "", null,
            string(reasoning, "redactedContent", "contentBlockDelta.delta.reasoningContent")));
      }
    }
  }

  private JsonNode payload(EventStreamFrames.Frame frame) {
    try {
      JsonNode node = json.readTree(frame.payload().getBytes());
      if (node == null || !node.isObject()) {
        throw new TranslationException("stream", "an event payload is not a JSON object");
      }
      return node;
    } catch (JacksonException e) {
      throw new TranslationException("stream", "an event payload is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new TranslationException("stream", "an event payload is not JSON: " + e.getMessage());
    }
  }

  /** An exception's message from its JSON payload ({@code message}, or {@code Message}); never throws. */
  private String message(EventStreamFrames.Frame frame) {
    try {
      JsonNode node = json.readTree(frame.payload().getBytes());
      if (node != null && node.isObject()) {
        JsonNode m = node.has("message") ? node.get("message") : node.get("Message");
        if (m != null && m.isTextual()) {
          return m.asText();
        }
      }
    } catch (IOException e) {
      // Not JSON: the raw payload below is the best message there is.
    }
    return frame.payload().toString();
  }

  private static int blockIndex(JsonNode event, String type) {
    JsonNode index = event.get("contentBlockIndex");
    if (index == null || !index.isIntegralNumber()) {
      throw new TranslationException(type + ".contentBlockIndex", "missing or not an integer");
    }
    return index.asInt();
  }

  private static String string(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || !v.isTextual()) {
      throw new TranslationException(path + "." + field, "'" + field + "' is missing or not a string");
    }
    return v.asText();
  }
}
