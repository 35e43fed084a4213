package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.openai.SseSplitter;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's streamed Messages answer as canonical events, however the network split the bytes.
 *
 * <p>Finish is emitted at the first {@code message_delta} that carries a stop reason; the usage
 * report, with the final totals of {@code message_start} and every {@code message_delta}, and End
 * at {@code message_stop}. {@code ping} and event types this decoder does not know are skipped, as
 * Anthropic's versioning policy asks of clients; so are deltas of unknown types (citations).
 * {@code redacted_thinking} blocks arrive whole and become one {@code ReasoningDelta} with their data.
 *
 * <p>Not thread-safe: one per stream, on its event loop.
 */
final class AnthropicStreamDecoder implements StreamDecoder {
  private static final String FIELD = "stream";

  private enum Kind { TEXT, THINKING, TOOL, SKIPPED }

  private record Block(Kind kind, int toolIndex) {}

  private final ObjectMapper json;
  private final SseSplitter splitter;
  private final long created;
  private final Map<Integer, Block> blocks = new HashMap<>();
  private UsageFields.Counts usage = UsageFields.Counts.NONE;
  private boolean started;
  private boolean finished;
  private boolean done;
  private int nextTool;

  AnthropicStreamDecoder(ObjectMapper json, int maxEventBytes, long created) {
    this.json = json;
    this.splitter = new SseSplitter(maxEventBytes);
    this.created = created;
  }

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    List<Buffer> events;
    try {
      events = splitter.feed(chunk);
    } catch (IllegalStateException e) {
      throw new TranslationException(FIELD, e.getMessage());
    }
    List<StreamEvent> out = new ArrayList<>();
    for (Buffer event : events) {
      if (!done) {
        onEvent(event.toString(StandardCharsets.UTF_8), out);
      }
    }
    return out;
  }

  @Override
  public List<StreamEvent> end() {
    if (!done) {
      throw new TranslationException(FIELD, started
          ? "the stream ended before message_stop" : "the stream ended before message_start");
    }
    return List.of();
  }

  private void onEvent(String text, List<StreamEvent> out) {
    String name = null;
    StringBuilder data = null;
    for (String line : text.split("\r\n|\r|\n")) {
      if (line.isEmpty() || line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> name = value;
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> { }
      }
    }
    if (data == null) {
      return;
    }
    ObjectNode payload = parse(data.toString());
    JsonNode typeNode = payload.get("type");
    String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : name;
    if (type == null) {
      throw new TranslationException(FIELD, "an event has no type");
    }
    if (!started && !type.equals("message_start") && !type.equals("ping") && !type.equals("error")) {
      throw new TranslationException(FIELD, "'" + type + "' arrived before message_start");
    }
    switch (type) {
      case "message_start" -> messageStart(payload, out);
      case "content_block_start" -> blockStart(payload, out);
      case "content_block_delta" -> blockDelta(payload, out);
      case "content_block_stop" -> block(payload);
      case "message_delta" -> messageDelta(payload, out);
      case "message_stop" -> {
        if (!finished) {
          out.add(new StreamEvent.Finish(0, StopReason.OTHER));
          finished = true;
        }
        out.add(new StreamEvent.UsageReport(usage.toUsage()));
        out.add(new StreamEvent.End());
        done = true;
      }
      case "error" -> {
        JsonNode error = payload.path("error");
        out.add(new StreamEvent.Failure(error.path("type").asText("api_error"),
            error.path("message").asText("the provider reported an error")));
        done = true;
      }
      default -> { }
    }
  }

  private ObjectNode parse(String data) {
    try {
      JsonNode node = json.readTree(data);
      if (node instanceof ObjectNode o) {
        return o;
      }
      throw new TranslationException(FIELD, "event data is not a JSON object");
    } catch (JacksonException e) {
      throw new TranslationException(FIELD, "event data is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private void messageStart(ObjectNode payload, List<StreamEvent> out) {
    if (started) {
      throw new TranslationException(FIELD, "a second message_start");
    }
    started = true;
    JsonNode message = payload.get("message");
    if (!(message instanceof ObjectNode m)) {
      throw new TranslationException(FIELD, "message_start without a message");
    }
    usage = usage.update(m.get("usage"));
    out.add(new StreamEvent.Start(m.path("id").asText(""), m.path("model").asText(""), created));
  }

  private void blockStart(ObjectNode payload, List<StreamEvent> out) {
    int index = index(payload);
    if (blocks.containsKey(index)) {
      throw new TranslationException(FIELD, "content block " + index + " started twice");
    }
    JsonNode content = payload.get("content_block");
    if (!(content instanceof ObjectNode block)) {
      throw new TranslationException(FIELD, "content_block_start without a content_block");
    }
    String type = block.path("type").asText("");
    switch (type) {
      case "text" -> {
        blocks.put(index, new Block(Kind.TEXT, -1));
        String text = block.path("text").asText("");
        if (!text.isEmpty()) {
          out.add(new StreamEvent.TextDelta(0, text));
        }
      }
      case "thinking" -> {
        blocks.put(index, new Block(Kind.THINKING, -1));
        String thinking = block.path("thinking").asText("");
        if (!thinking.isEmpty()) {
          out.add(new StreamEvent.ReasoningDelta(0, thinking, null));
        }
      }
      case "redacted_thinking" -> {
        // Arrives whole in its start event; nothing follows but its stop.
        blocks.put(index, new Block(Kind.SKIPPED, -1));
        out.add(new StreamEvent.ReasoningDelta(0, "", null, block.path("data").asText("")));
      }
      case "tool_use" -> {
        int tool = nextTool++;
        blocks.put(index, new Block(Kind.TOOL, tool));
        out.add(new StreamEvent.ToolCallStart(0, tool, block.path("id").asText(""), block.path("name").asText("")));
        JsonNode input = block.get("input");
        if (input instanceof ObjectNode o && !o.isEmpty()) {
          out.add(new StreamEvent.ToolCallDelta(0, tool, o.toString()));
        }
      }
      default -> throw new TranslationException(FIELD, "content block type '" + type + "' has no canonical form");
    }
  }

  private void blockDelta(ObjectNode payload, List<StreamEvent> out) {
    Block block = block(payload);
    if (block.kind() == Kind.SKIPPED) {
      return;
    }
    JsonNode delta = payload.path("delta");
    switch (delta.path("type").asText("")) {
      case "text_delta" -> {
        expect(block, Kind.TEXT, "text_delta");
        out.add(new StreamEvent.TextDelta(0, delta.path("text").asText("")));
      }
      case "thinking_delta" -> {
        expect(block, Kind.THINKING, "thinking_delta");
        out.add(new StreamEvent.ReasoningDelta(0, delta.path("thinking").asText(""), null));
      }
      case "signature_delta" -> {
        expect(block, Kind.THINKING, "signature_delta");
        out.add(new StreamEvent.ReasoningDelta(0, "", delta.path("signature").asText("")));
      }
      case "input_json_delta" -> {
        expect(block, Kind.TOOL, "input_json_delta");
        out.add(new StreamEvent.ToolCallDelta(0, block.toolIndex(), delta.path("partial_json").asText("")));
      }
      default -> { }
    }
  }

  private static void expect(Block block, Kind kind, String delta) {
    if (block.kind() != kind) {
      throw new TranslationException(FIELD, delta + " in a " + block.kind().name().toLowerCase(java.util.Locale.ROOT)
          + " block");
    }
  }

  private Block block(ObjectNode payload) {
    int index = index(payload);
    Block block = blocks.get(index);
    if (block == null) {
      throw new TranslationException(FIELD, "content block " + index + " was never started");
    }
    return block;
  }

  private static int index(ObjectNode payload) {
    JsonNode index = payload.get("index");
    if (index == null || !index.canConvertToInt() || !index.isIntegralNumber()) {
      throw new TranslationException(FIELD, "a content block event without an integer index");
    }
    return index.intValue();
  }

  private void messageDelta(ObjectNode payload, List<StreamEvent> out) {
    usage = usage.update(payload.get("usage"));
    JsonNode reason = payload.path("delta").get("stop_reason");
    if (!finished && reason != null && reason.isTextual()) {
      finished = true;
      JsonNode matched = payload.path("delta").get("stop_sequence");
      out.add(new StreamEvent.Finish(0, StopReasons.fromAnthropic(reason.textValue()),
          matched != null && matched.isTextual() ? matched.textValue() : null));
    }
  }
}
