package dev.tollgate.protocol.openai.responses;

import dev.tollgate.protocol.openai.translate.Fields;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Canonical stream events as Responses API server-sent events ({@code event: <type>} and a JSON
 * {@code data:} line carrying the same {@code type} and a {@code sequence_number} counting from 0).
 *
 * <p>The stream opens with {@code response.created} and {@code response.in_progress}. Each run of
 * text is a {@code message} item ({@code response.output_item.added}, {@code content_part.added},
 * {@code output_text.delta}s, then {@code output_text.done}, {@code content_part.done},
 * {@code output_item.done}); each run of reasoning a {@code reasoning} item whose text is streamed
 * as its summary ({@code reasoning_summary_part.added}, {@code reasoning_summary_text.delta}s and
 * their {@code .done}s), ended by a signature, which the item carries as {@code encrypted_content}
 * (see {@link ReasoningToken}); each tool call a {@code function_call} item with
 * {@code function_call_arguments.delta}s and {@code .done}. An item is closed when the next kind
 * starts or the candidate finishes, except that tool calls stay open together until then, because
 * upstreams may interleave the arguments of parallel calls. {@link StreamEvent.End} writes
 * {@code response.completed}, or {@code response.incomplete} for a cut-off answer, with the whole
 * response and its usage.
 *
 * <p>A failure writes an {@code error} event, then {@code response.failed} with the response so far
 * (when the stream had begun), after which nothing more is written. Not thread-safe: one per stream.
 */
public final class ResponsesStreamEncoder implements StreamEncoder {
  private final ObjectMapper json;
  private final ResponseObjects objects;
  private int sequence;
  private ObjectNode response;
  private String upstreamId;
  private final List<ObjectNode> output = new ArrayList<>();
  private OpenText text;
  private OpenText reasoning;
  private final Map<Integer, OpenCall> calls = new HashMap<>();
  private final Set<Integer> startedCalls = new HashSet<>();
  private StopReason stopReason;
  private Usage usage;
  private boolean ended;

  /** A message or reasoning item being streamed. */
  private record OpenText(int outputIndex, String itemId, StringBuilder text) {}

  /** A function call item being streamed. */
  private record OpenCall(int outputIndex, String itemId, String callId, String name, StringBuilder arguments) {}

  /** @param request the decoded request, whose settings every response object repeats */
  public ResponsesStreamEncoder(ObjectMapper json, ResponsesRequest request) {
    this.json = json;
    this.objects = new ResponseObjects(json, request.echo());
  }

  @Override
  public Buffer encode(StreamEvent event) {
    Buffer out = Buffer.buffer();
    if (ended) {
      return out;
    }
    if (response == null && !(event instanceof StreamEvent.Start) && !(event instanceof StreamEvent.Failure)) {
      throw new IllegalStateException("a stream must begin with Start, got " + event);
    }
    switch (event) {
      case StreamEvent.Start s -> {
        if (response != null) {
          throw new IllegalStateException("a stream has one Start");
        }
        upstreamId = s.id();
        response = objects.response(s.id(), s.model(), s.created(), "in_progress");
        write(out, "response.created", event("response.created").set("response", response.deepCopy()));
        write(out, "response.in_progress", event("response.in_progress").set("response", response.deepCopy()));
      }
      case StreamEvent.TextDelta d -> {
        single(d.candidate());
        if (d.text().isEmpty()) {
          break;
        }
        closeReasoning(out, null);
        closeCalls(out, "completed");
        if (text == null) {
          text = new OpenText(output.size(), ResponseObjects.itemId("msg", upstreamId, output.size()),
              new StringBuilder());
          addItem(out, objects.message(text.itemId(), "in_progress", null));
          ObjectNode added = itemEvent("response.content_part.added", text).put("content_index", 0);
          added.set("part", objects.outputText(""));
          write(out, "response.content_part.added", added);
        }
        text.text().append(d.text());
        ObjectNode delta = itemEvent("response.output_text.delta", text).put("content_index", 0).put("delta", d.text());
        delta.putArray("logprobs");
        write(out, "response.output_text.delta", delta);
      }
      case StreamEvent.ReasoningDelta d -> {
        single(d.candidate());
        boolean hasText = d.text() != null && !d.text().isEmpty();
        if (!hasText && d.signature() == null) {
          break;
        }
        closeText(out, "completed");
        closeCalls(out, "completed");
        if (hasText) {
          if (reasoning == null) {
            reasoning = new OpenText(output.size(), ResponseObjects.itemId("rs", upstreamId, output.size()),
                new StringBuilder());
            addItem(out, objects.reasoning(reasoning.itemId(), null, null));
            ObjectNode added = itemEvent("response.reasoning_summary_part.added", reasoning).put("summary_index", 0);
            added.set("part", objects.summaryText(""));
            write(out, "response.reasoning_summary_part.added", added);
          }
          reasoning.text().append(d.text());
          write(out, "response.reasoning_summary_text.delta", itemEvent("response.reasoning_summary_text.delta",
              reasoning).put("summary_index", 0).put("delta", d.text()));
        }
        if (d.signature() != null) {
          String token = ReasoningToken.encode(json, d.signature(), null);
          if (reasoning != null) {
            closeReasoning(out, token);
          } else {
            // A signature alone (Gemini signs the part that follows it): an item with no summary.
            String itemId = ResponseObjects.itemId("rs", upstreamId, output.size());
            int index = output.size();
            addItem(out, objects.reasoning(itemId, null, null));
            doneItem(out, index, objects.reasoning(itemId, null, token));
          }
        }
      }
      case StreamEvent.ToolCallStart s -> {
        single(s.candidate());
        // Tool indexes stay taken after their call closes: reusing one is a broken upstream stream.
        if (!startedCalls.add(s.toolIndex())) {
          throw new TranslationException("toolIndex", "tool call " + s.toolIndex() + " started twice");
        }
        closeText(out, "completed");
        closeReasoning(out, null);
        OpenCall call = new OpenCall(output.size(), ResponseObjects.itemId("fc", upstreamId, output.size()), s.id(),
            s.name(), new StringBuilder());
        calls.put(s.toolIndex(), call);
        addItem(out, objects.functionCall(call.itemId(), call.callId(), call.name(), "", "in_progress"));
      }
      case StreamEvent.ToolCallDelta d -> {
        single(d.candidate());
        OpenCall call = calls.get(d.toolIndex());
        if (call == null) {
          throw new TranslationException("toolIndex", "arguments for tool call " + d.toolIndex()
              + ", which is not open");
        }
        call.arguments().append(d.argumentsFragment());
        ObjectNode delta = event("response.function_call_arguments.delta").put("item_id", call.itemId())
            .put("output_index", call.outputIndex()).put("delta", d.argumentsFragment());
        write(out, "response.function_call_arguments.delta", delta);
      }
      case StreamEvent.Finish f -> {
        single(f.candidate());
        stopReason = f.reason();
        closeAll(out);
      }
      case StreamEvent.UsageReport u -> usage = u.usage();
      case StreamEvent.End e -> {
        closeAll(out);
        ended = true;
        ObjectNode done = finalResponse();
        ResponseObjects.finish(done, stopReason == null ? StopReason.END : stopReason);
        String type = done.get("status").asText().equals("incomplete") ? "response.incomplete" : "response.completed";
        write(out, type, event(type).set("response", done));
      }
      case StreamEvent.Failure f -> out.appendBuffer(failure(f.type(), f.message()));
    }
    return out;
  }

  @Override
  public Buffer failure(String type, String message) {
    Buffer out = Buffer.buffer();
    if (ended) {
      return out;
    }
    ended = true;
    ObjectNode error = event("error").put("code", type).put("message", message);
    error.putNull("param");
    write(out, "error", error);
    if (response != null) {
      ObjectNode failed = finalResponse();
      failed.put("status", "failed");
      failed.putObject("error").put("code", type.contains("rate_limit") ? "rate_limit_exceeded" : "server_error")
          .put("message", message);
      write(out, "response.failed", event("response.failed").set("response", failed));
    }
    return out;
  }

  /** A Responses answer has one candidate; the decoder never asks for more. */
  private static void single(int candidate) {
    if (candidate != 0) {
      throw new TranslationException("candidate", "a response streams one answer, not candidate " + candidate);
    }
  }

  private ObjectNode finalResponse() {
    ObjectNode done = response.deepCopy();
    ArrayNode items = done.putArray("output");
    output.forEach(items::add);
    if (usage != null) {
      done.set("usage", objects.usage(usage));
    }
    return done;
  }

  private void closeAll(Buffer out) {
    String status = stopReason != null && ResponseObjects.incompleteReason(stopReason) != null
        ? "incomplete" : "completed";
    closeText(out, status);
    closeReasoning(out, null);
    closeCalls(out, status);
  }

  private void closeText(Buffer out, String status) {
    if (text == null) {
      return;
    }
    String full = text.text().toString();
    ObjectNode done = itemEvent("response.output_text.done", text).put("content_index", 0).put("text", full);
    done.putArray("logprobs");
    write(out, "response.output_text.done", done);
    ObjectNode partDone = itemEvent("response.content_part.done", text).put("content_index", 0);
    partDone.set("part", objects.outputText(full));
    write(out, "response.content_part.done", partDone);
    doneItem(out, text.outputIndex(), objects.message(text.itemId(), status, full));
    text = null;
  }

  /** @param token the item's {@code encrypted_content}, or null */
  private void closeReasoning(Buffer out, String token) {
    if (reasoning == null) {
      return;
    }
    String full = reasoning.text().toString();
    write(out, "response.reasoning_summary_text.done",
        itemEvent("response.reasoning_summary_text.done", reasoning).put("summary_index", 0).put("text", full));
    ObjectNode partDone = itemEvent("response.reasoning_summary_part.done", reasoning).put("summary_index", 0);
    partDone.set("part", objects.summaryText(full));
    write(out, "response.reasoning_summary_part.done", partDone);
    doneItem(out, reasoning.outputIndex(), objects.reasoning(reasoning.itemId(), full, token));
    reasoning = null;
  }

  /** Closes every open call, in the order they started; a call's item is always {@code completed} in the API. */
  private void closeCalls(Buffer out, String status) {
    List<OpenCall> open = new ArrayList<>(calls.values());
    open.sort((a, b) -> Integer.compare(a.outputIndex(), b.outputIndex()));
    for (OpenCall call : open) {
      String arguments = call.arguments().toString();
      ObjectNode done = event("response.function_call_arguments.done").put("item_id", call.itemId())
          .put("output_index", call.outputIndex()).put("arguments", arguments);
      write(out, "response.function_call_arguments.done", done);
      doneItem(out, call.outputIndex(),
          objects.functionCall(call.itemId(), call.callId(), call.name(), arguments, status));
    }
    calls.clear();
  }

  private void addItem(Buffer out, ObjectNode item) {
    int index = output.size();
    output.add(item);
    ObjectNode added = event("response.output_item.added").put("output_index", index);
    added.set("item", item.deepCopy());
    write(out, "response.output_item.added", added);
  }

  private void doneItem(Buffer out, int index, ObjectNode item) {
    output.set(index, item);
    ObjectNode done = event("response.output_item.done").put("output_index", index);
    done.set("item", item.deepCopy());
    write(out, "response.output_item.done", done);
  }

  private ObjectNode event(String type) {
    return json.createObjectNode().put("type", type).put("sequence_number", sequence++);
  }

  private ObjectNode itemEvent(String type, OpenText item) {
    return event(type).put("item_id", item.itemId()).put("output_index", item.outputIndex());
  }

  private void write(Buffer out, String type, ObjectNode data) {
    out.appendString("event: ").appendString(type).appendString("\ndata: ")
        .appendString(Fields.text(json, data)).appendString("\n\n");
  }
}
