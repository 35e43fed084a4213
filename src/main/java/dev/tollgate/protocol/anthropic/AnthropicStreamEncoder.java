package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Canonical stream events as Anthropic server-sent events: {@code message_start}, one content block
 * per run of text, of reasoning or per tool call ({@code content_block_start}, deltas,
 * {@code content_block_stop}), then {@code message_delta} and {@code message_stop}.
 *
 * <p>{@code message_delta} carries the stop reason and the usage, which upstreams report in either
 * order (OpenAI-compatible ones send usage after the finish reason); it is written once both are
 * known, or at {@link StreamEvent.End} with whatever is known then. Its usage holds every count, not
 * only {@code output_tokens}: {@code message_start} is written before any count is known.
 *
 * <p>Not thread-safe: one per stream, on its event loop.
 */
public final class AnthropicStreamEncoder implements StreamEncoder {
  private enum Kind { TEXT, THINKING, TOOL }

  private final ObjectMapper json;
  private boolean started;
  private int nextIndex;
  private Kind open;
  private int openTool = -1;
  private boolean openSigned;
  private StopReason stopReason;
  private String stopSequence;
  private Usage usage;
  private boolean deltaWritten;
  private boolean ended;

  public AnthropicStreamEncoder(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public Buffer encode(StreamEvent event) {
    Buffer out = Buffer.buffer();
    if (ended) {
      return out;
    }
    if (!(event instanceof StreamEvent.Start) && !(event instanceof StreamEvent.Failure) && !started) {
      throw new IllegalStateException("a stream must begin with Start, got " + event);
    }
    switch (event) {
      case StreamEvent.Start start -> {
        if (started) {
          throw new IllegalStateException("a stream has one Start");
        }
        started = true;
        ObjectNode data = data("message_start");
        ObjectNode message = data.putObject("message");
        message.put("id", start.id()).put("type", "message").put("role", "assistant");
        message.putArray("content");
        message.put("model", start.model());
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        UsageFields.write(Usage.NONE, message.putObject("usage"));
        write(out, data);
      }
      case StreamEvent.TextDelta d -> {
        single(d.candidate());
        if (open != Kind.TEXT) {
          ObjectNode block = json.createObjectNode().put("type", "text").put("text", "");
          startBlock(out, Kind.TEXT, block);
        }
        ObjectNode delta = json.createObjectNode().put("type", "text_delta").put("text", d.text());
        blockDelta(out, delta);
      }
      case StreamEvent.ReasoningDelta d when d.redacted() != null -> {
        single(d.candidate());
        // A redacted block is whole in its start event: start it and close it at once.
        ObjectNode block = json.createObjectNode().put("type", "redacted_thinking").put("data", d.redacted());
        startBlock(out, Kind.THINKING, block);
        closeBlock(out);
      }
      case StreamEvent.ReasoningDelta d -> {
        single(d.candidate());
        boolean hasText = d.text() != null && !d.text().isEmpty();
        // A signature completes its thinking block: more thinking after it is a new block.
        if (open != Kind.THINKING || (openSigned && hasText)) {
          ObjectNode block = json.createObjectNode().put("type", "thinking").put("thinking", "").put("signature", "");
          startBlock(out, Kind.THINKING, block);
        }
        if (hasText) {
          blockDelta(out, json.createObjectNode().put("type", "thinking_delta").put("thinking", d.text()));
        }
        if (d.signature() != null) {
          openSigned = true;
          blockDelta(out, json.createObjectNode().put("type", "signature_delta").put("signature", d.signature()));
        }
      }
      case StreamEvent.ToolCallStart s -> {
        single(s.candidate());
        ObjectNode block = json.createObjectNode().put("type", "tool_use").put("id", s.id()).put("name", s.name());
        block.putObject("input");
        startBlock(out, Kind.TOOL, block);
        openTool = s.toolIndex();
      }
      case StreamEvent.ToolCallDelta d -> {
        single(d.candidate());
        if (open != Kind.TOOL || openTool != d.toolIndex()) {
          // Anthropic blocks cannot interleave: once another block began, this one is closed.
          throw new TranslationException("tool_calls[" + d.toolIndex() + "]",
              "arguments arrived after another content block began");
        }
        blockDelta(out, json.createObjectNode().put("type", "input_json_delta")
            .put("partial_json", d.argumentsFragment()));
      }
      case StreamEvent.Finish f -> {
        single(f.candidate());
        closeBlock(out);
        stopReason = f.reason();
        stopSequence = f.stopSequence();
        if (usage != null) {
          messageDelta(out);
        }
      }
      case StreamEvent.UsageReport u -> {
        usage = u.usage();
        if (stopReason != null) {
          messageDelta(out);
        }
      }
      case StreamEvent.End _ -> {
        closeBlock(out);
        messageDelta(out);
        write(out, data("message_stop"));
        ended = true;
      }
      case StreamEvent.Failure f -> {
        out.appendBuffer(failure(f.type(), f.message()));
      }
    }
    return out;
  }

  @Override
  public Buffer failure(String type, String message) {
    ended = true;
    ObjectNode data = json.createObjectNode().put("type", "error");
    data.putObject("error").put("type", AnthropicErrors.knownType(type)).put("message", message);
    Buffer out = Buffer.buffer();
    write(out, data);
    return out;
  }

  private static void single(int candidate) {
    if (candidate != 0) {
      throw new TranslationException("n", "an Anthropic stream carries one answer, got candidate " + candidate);
    }
  }

  private ObjectNode data(String type) {
    return json.createObjectNode().put("type", type);
  }

  private void startBlock(Buffer out, Kind kind, ObjectNode block) {
    closeBlock(out);
    open = kind;
    openSigned = false;
    ObjectNode data = data("content_block_start").put("index", nextIndex);
    data.set("content_block", block);
    write(out, data);
  }

  private void blockDelta(Buffer out, ObjectNode delta) {
    ObjectNode data = data("content_block_delta").put("index", nextIndex);
    data.set("delta", delta);
    write(out, data);
  }

  private void closeBlock(Buffer out) {
    if (open == null) {
      return;
    }
    write(out, data("content_block_stop").put("index", nextIndex));
    open = null;
    openTool = -1;
    nextIndex++;
  }

  private void messageDelta(Buffer out) {
    if (deltaWritten) {
      return;
    }
    deltaWritten = true;
    ObjectNode data = data("message_delta");
    ObjectNode delta = data.putObject("delta");
    if (stopReason == null) {
      delta.putNull("stop_reason");
    } else {
      delta.put("stop_reason", StopReasons.toAnthropic(stopReason));
    }
    if (stopSequence == null) {
      delta.putNull("stop_sequence");
    } else {
      delta.put("stop_sequence", stopSequence);
    }
    UsageFields.write(usage, data.putObject("usage"));
    write(out, data);
  }

  private static void write(Buffer out, ObjectNode data) {
    out.appendString("event: ").appendString(data.get("type").asText()).appendString("\ndata: ")
        .appendBytes(data.toString().getBytes(StandardCharsets.UTF_8)).appendString("\n\n");
  }
}
