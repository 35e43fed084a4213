package dev.tollgate.protocol.openai.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.BitSet;

/**
 * Writes canonical stream events as OpenAI {@code chat.completion.chunk} server-sent events, in the
 * order OpenAI sends them: a role chunk per choice, content and tool-call deltas, a finish chunk,
 * then (only when the caller asked for {@code stream_options.include_usage}) a usage chunk with
 * {@code "choices":[]}, then {@code data: [DONE]}. With include_usage every other chunk carries
 * {@code "usage":null}, as OpenAI's do.
 *
 * <p>Usage is held until the end because OpenAI's clients read it from the chunk before
 * {@code [DONE]}, while other providers report it earlier (Anthropic, at the start and in
 * message_delta). Reasoning is written as {@code reasoning_content} deltas, the field
 * OpenAI-compatible clients read; a signature-only reasoning delta has nothing to write. After a
 * failure nothing more is written. Not thread-safe: one per stream.
 */
public final class OpenAiStreamEncoder implements StreamEncoder {
  private final ObjectMapper json;
  private final boolean includeUsage;
  private final BitSet started = new BitSet();
  private String id = "";
  private String model = "";
  private long created;
  private Usage usage;
  private boolean closed;

  /** @param includeUsage the caller's {@code stream_options.include_usage} */
  public OpenAiStreamEncoder(ObjectMapper json, boolean includeUsage) {
    this.json = json;
    this.includeUsage = includeUsage;
  }

  @Override
  public Buffer encode(StreamEvent event) {
    if (closed) {
      return Buffer.buffer();
    }
    return switch (event) {
      case StreamEvent.Start s -> {
        id = s.id();
        model = s.model();
        created = s.created();
        yield roleChunk(0, Buffer.buffer());
      }
      case StreamEvent.TextDelta d -> {
        Buffer out = roleChunk(d.candidate(), Buffer.buffer());
        ObjectNode chunk = chunk();
        delta(chunk, d.candidate()).put("content", d.text());
        yield write(chunk, out);
      }
      case StreamEvent.ReasoningDelta d -> {
        Buffer out = roleChunk(d.candidate(), Buffer.buffer());
        if (d.text() == null || d.text().isEmpty()) {
          yield out;
        }
        ObjectNode chunk = chunk();
        delta(chunk, d.candidate()).put("reasoning_content", d.text());
        yield write(chunk, out);
      }
      case StreamEvent.ToolCallStart s -> {
        Buffer out = roleChunk(s.candidate(), Buffer.buffer());
        ObjectNode chunk = chunk();
        ObjectNode call = delta(chunk, s.candidate()).putArray("tool_calls").addObject();
        call.put("index", s.toolIndex()).put("id", s.id()).put("type", "function");
        call.putObject("function").put("name", s.name()).put("arguments", "");
        yield write(chunk, out);
      }
      case StreamEvent.ToolCallDelta d -> {
        Buffer out = roleChunk(d.candidate(), Buffer.buffer());
        ObjectNode chunk = chunk();
        ObjectNode call = delta(chunk, d.candidate()).putArray("tool_calls").addObject();
        call.put("index", d.toolIndex()).putObject("function").put("arguments", d.argumentsFragment());
        yield write(chunk, out);
      }
      case StreamEvent.Finish f -> {
        Buffer out = roleChunk(f.candidate(), Buffer.buffer());
        ObjectNode chunk = chunk();
        ObjectNode choice = choice(chunk, f.candidate());
        choice.put("finish_reason", ChatWire.finishReason(f.reason()));
        yield write(chunk, out);
      }
      case StreamEvent.UsageReport u -> {
        usage = u.usage();
        yield Buffer.buffer();
      }
      case StreamEvent.End e -> {
        closed = true;
        Buffer out = Buffer.buffer();
        if (includeUsage && usage != null) {
          ObjectNode chunk = header();
          chunk.putArray("choices");
          ChatWire.writeUsage(usage, chunk.putObject("usage"));
          write(chunk, out);
        }
        yield out.appendString("data: [DONE]\n\n");
      }
      case StreamEvent.Failure f -> failure(f.type(), f.message());
    };
  }

  /** OpenAI's error shape as one event; the stream then closes without {@code [DONE]}. */
  @Override
  public Buffer failure(String type, String message) {
    closed = true;
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.putNull("param");
    error.putNull("code");
    return write(root, Buffer.buffer());
  }

  /** OpenAI opens each choice with an assistant role delta whose content is empty. */
  private Buffer roleChunk(int candidate, Buffer out) {
    if (started.get(candidate)) {
      return out;
    }
    started.set(candidate);
    ObjectNode chunk = chunk();
    delta(chunk, candidate).put("role", "assistant").put("content", "").putNull("refusal");
    return write(chunk, out);
  }

  private ObjectNode header() {
    ObjectNode chunk = json.createObjectNode();
    chunk.put("id", id);
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", created);
    chunk.put("model", model);
    return chunk;
  }

  private ObjectNode chunk() {
    ObjectNode chunk = header();
    chunk.putArray("choices");
    if (includeUsage) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  private static ObjectNode choice(ObjectNode chunk, int candidate) {
    ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject();
    choice.put("index", candidate);
    choice.putObject("delta");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return choice;
  }

  private static ObjectNode delta(ObjectNode chunk, int candidate) {
    return (ObjectNode) choice(chunk, candidate).get("delta");
  }

  private Buffer write(ObjectNode chunk, Buffer out) {
    return out.appendString("data: ").appendString(Fields.text(json, chunk)).appendString("\n\n");
  }
}
