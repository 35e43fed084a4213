package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.responses.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.responses.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.protocol.openai.SseSplitter;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesStreamEncoderTest {
  private static final String ID = "chatcmpl-123";

  private static ResponsesRequest request() {
    return new ResponsesRequestDecoder(JSON).decode(Buffer.buffer("{\"model\": \"gpt-4.1\", \"input\": \"Hi\"}"));
  }

  private static List<JsonNode> encode(ResponsesStreamEncoder encoder, StreamEvent... events) {
    Buffer wire = Buffer.buffer();
    for (StreamEvent e : events) {
      wire.appendBuffer(encoder.encode(e));
    }
    return frames(wire);
  }

  /** Each frame's data; its {@code event:} line must name the data's type. */
  private static List<JsonNode> frames(Buffer wire) {
    List<JsonNode> out = new ArrayList<>();
    if (wire.length() == 0) {
      return out;
    }
    assertThat(wire.toString()).endsWith("\n\n");
    for (String frame : wire.toString().split("\n\n")) {
      String[] lines = frame.split("\n");
      assertThat(lines).hasSize(2);
      JsonNode data = tree(lines[1].substring("data: ".length()));
      assertThat(lines[0]).isEqualTo("event: " + data.get("type").asText());
      out.add(data);
    }
    return out;
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.get("type").asText()).toList();
  }

  /** The API reference's streamed text example, event by event. */
  @Test
  void streamsATextAnswerAsTheApiDoes() {
    List<JsonNode> events = encode(new ResponsesStreamEncoder(JSON, request()),
        new StreamEvent.Start(ID, "gpt-4.1-2025-04-14", 1741290958L),
        new StreamEvent.TextDelta(0, "Hi"),
        new StreamEvent.TextDelta(0, " there!"),
        new StreamEvent.Finish(0, StopReason.END),
        new StreamEvent.UsageReport(new Usage(37, 11, 0, 0, 0)),
        new StreamEvent.End());
    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).get("sequence_number").asInt()).isEqualTo(i);
    }
    JsonNode created = events.get(0).get("response");
    assertThat(created.get("id").asText()).isEqualTo("resp_chatcmpl-123");
    assertThat(created.get("status").asText()).isEqualTo("in_progress");
    assertThat(created.get("output")).isEmpty();
    assertThat(created.get("usage").isNull()).isTrue();
    assertJsonEquals(events.get(2), """
        {"type": "response.output_item.added", "sequence_number": 2, "output_index": 0,
         "item": {"id": "msg_chatcmpl-123_0", "type": "message", "status": "in_progress", "role": "assistant",
                  "content": []}}
        """);
    assertJsonEquals(events.get(3), """
        {"type": "response.content_part.added", "sequence_number": 3, "item_id": "msg_chatcmpl-123_0",
         "output_index": 0, "content_index": 0,
         "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}}
        """);
    assertJsonEquals(events.get(4), """
        {"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_chatcmpl-123_0",
         "output_index": 0, "content_index": 0, "delta": "Hi", "logprobs": []}
        """);
    assertJsonEquals(events.get(6), """
        {"type": "response.output_text.done", "sequence_number": 6, "item_id": "msg_chatcmpl-123_0",
         "output_index": 0, "content_index": 0, "text": "Hi there!", "logprobs": []}
        """);
    assertJsonEquals(events.get(7), """
        {"type": "response.content_part.done", "sequence_number": 7, "item_id": "msg_chatcmpl-123_0",
         "output_index": 0, "content_index": 0,
         "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": "Hi there!"}}
        """);
    String item = """
        {"id": "msg_chatcmpl-123_0", "type": "message", "status": "completed", "role": "assistant",
         "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": "Hi there!"}]}
        """;
    assertJsonEquals(events.get(8), "{\"type\": \"response.output_item.done\", \"sequence_number\": 8,"
        + " \"output_index\": 0, \"item\": " + item + "}");
    JsonNode completed = events.get(9).get("response");
    assertThat(completed.get("status").asText()).isEqualTo("completed");
    assertJsonEquals(completed.get("output"), "[" + item + "]");
    assertJsonEquals(completed.get("usage"), """
        {"input_tokens": 37, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
         "output_tokens": 11, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 48}
        """);
    // The final response is the created one, completed: everything else is the same.
    for (String field : List.of("id", "object", "created_at", "model", "tools", "tool_choice", "text", "metadata")) {
      assertThat(completed.get(field)).as(field).isEqualTo(created.get(field));
    }
  }

  @Test
  void streamsReasoningAsASummaryAndToolCallsWithTheirArguments() {
    List<JsonNode> events = encode(new ResponsesStreamEncoder(JSON, request()),
        new StreamEvent.Start(ID, "m", 1L),
        new StreamEvent.ReasoningDelta(0, "Look ", null),
        new StreamEvent.ReasoningDelta(0, "it up.", null),
        new StreamEvent.ReasoningDelta(0, "", "signature"),
        new StreamEvent.ToolCallStart(0, 0, "call_a", "get_weather"),
        new StreamEvent.ToolCallStart(0, 1, "call_b", "get_time"),
        new StreamEvent.ToolCallDelta(0, 1, "{}"),
        new StreamEvent.ToolCallDelta(0, 0, "{\"city\":"),
        new StreamEvent.ToolCallDelta(0, 0, "\"Paris\"}"),
        new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
        new StreamEvent.End());
    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
        "response.output_item.added", "response.output_item.added",
        "response.function_call_arguments.delta", "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done", "response.output_item.done",
        "response.function_call_arguments.done", "response.output_item.done",
        "response.completed");
    assertJsonEquals(events.get(4), """
        {"type": "response.reasoning_summary_text.delta", "sequence_number": 4, "item_id": "rs_chatcmpl-123_0",
         "output_index": 0, "summary_index": 0, "delta": "Look "}
        """);
    assertJsonEquals(events.get(7), """
        {"type": "response.reasoning_summary_part.done", "sequence_number": 7, "item_id": "rs_chatcmpl-123_0",
         "output_index": 0, "summary_index": 0, "part": {"type": "summary_text", "text": "Look it up."}}
        """);
    assertJsonEquals(events.get(10), """
        {"type": "response.output_item.added", "sequence_number": 10, "output_index": 2,
         "item": {"id": "fc_chatcmpl-123_2", "type": "function_call", "status": "in_progress", "arguments": "",
                  "call_id": "call_b", "name": "get_time"}}
        """);
    assertJsonEquals(events.get(11), """
        {"type": "response.function_call_arguments.delta", "sequence_number": 11, "item_id": "fc_chatcmpl-123_2",
         "output_index": 2, "delta": "{}"}
        """);
    assertJsonEquals(events.get(14), """
        {"type": "response.function_call_arguments.done", "sequence_number": 14, "item_id": "fc_chatcmpl-123_1",
         "output_index": 1, "arguments": "{\\"city\\":\\"Paris\\"}"}
        """);
    assertJsonEquals(events.getLast().get("response").get("output"), """
        [{"id": "rs_chatcmpl-123_0", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Look it up."}],
          "encrypted_content": "tollgate.reasoning.v1.eyJzaWduYXR1cmUiOiJzaWduYXR1cmUifQ"},
         {"id": "fc_chatcmpl-123_1", "type": "function_call", "status": "completed",
          "arguments": "{\\"city\\":\\"Paris\\"}", "call_id": "call_a", "name": "get_weather"},
         {"id": "fc_chatcmpl-123_2", "type": "function_call", "status": "completed", "arguments": "{}",
          "call_id": "call_b", "name": "get_time"}]
        """);
  }

  /** Gemini sends a thought signature alone, signing the part after it: it becomes an item of its own. */
  @Test
  void aSignatureAloneIsAReasoningItemWithoutSummary() {
    List<JsonNode> events = encode(new ResponsesStreamEncoder(JSON, request()),
        new StreamEvent.Start(ID, "m", 1L),
        new StreamEvent.ReasoningDelta(0, "", "signature"),
        new StreamEvent.TextDelta(0, "Hi"),
        new StreamEvent.End());
    assertThat(types(events).subList(2, 5)).containsExactly("response.output_item.added",
        "response.output_item.done", "response.output_item.added");
    assertJsonEquals(events.get(3).get("item"), """
        {"id": "rs_chatcmpl-123_0", "type": "reasoning", "summary": [],
         "encrypted_content": "tollgate.reasoning.v1.eyJzaWduYXR1cmUiOiJzaWduYXR1cmUifQ"}
        """);
  }

  @Test
  void textAfterAToolCallIsANewMessageItem() {
    List<JsonNode> events = encode(new ResponsesStreamEncoder(JSON, request()),
        new StreamEvent.Start(ID, "m", 1L),
        new StreamEvent.TextDelta(0, "A"),
        new StreamEvent.ToolCallStart(0, 0, "call_a", "f"),
        new StreamEvent.TextDelta(0, ""),
        new StreamEvent.TextDelta(0, "B"),
        new StreamEvent.End());
    JsonNode output = events.getLast().get("response").get("output");
    assertThat(output).hasSize(3);
    assertThat(output.get(0).get("content").get(0).get("text").asText()).isEqualTo("A");
    assertThat(output.get(1).get("type").asText()).isEqualTo("function_call");
    assertThat(output.get(2).get("id").asText()).isEqualTo("msg_chatcmpl-123_2");
    assertThat(output.get(2).get("content").get(0).get("text").asText()).isEqualTo("B");
    // No Finish came: the items close at End, and the answer counts as completed.
    assertThat(events.getLast().get("type").asText()).isEqualTo("response.completed");
  }

  @Test
  void aCutOffAnswerEndsIncompleteWithIncompleteItems() {
    List<JsonNode> events = encode(new ResponsesStreamEncoder(JSON, request()),
        new StreamEvent.Start(ID, "m", 1L),
        new StreamEvent.TextDelta(0, "Once upon"),
        new StreamEvent.Finish(0, StopReason.MAX_TOKENS),
        new StreamEvent.End());
    assertThat(events.get(events.size() - 2).get("item").get("status").asText()).isEqualTo("incomplete");
    JsonNode last = events.getLast();
    assertThat(last.get("type").asText()).isEqualTo("response.incomplete");
    assertThat(last.get("response").get("status").asText()).isEqualTo("incomplete");
    assertJsonEquals(last.get("response").get("incomplete_details"), "{\"reason\": \"max_output_tokens\"}");
  }

  @Test
  void aFailureWritesAnErrorAndAFailedResponseThenNothingMore() {
    ResponsesStreamEncoder encoder = new ResponsesStreamEncoder(JSON, request());
    List<JsonNode> events = encode(encoder,
        new StreamEvent.Start(ID, "m", 1L),
        new StreamEvent.TextDelta(0, "Hel"),
        new StreamEvent.Failure("rate_limit_error", "Slow down"));
    assertJsonEquals(events.get(events.size() - 2), """
        {"type": "error", "sequence_number": 5, "code": "rate_limit_error", "message": "Slow down", "param": null}
        """);
    JsonNode failed = events.getLast();
    assertThat(failed.get("type").asText()).isEqualTo("response.failed");
    assertThat(failed.get("sequence_number").asInt()).isEqualTo(6);
    assertThat(failed.get("response").get("status").asText()).isEqualTo("failed");
    assertJsonEquals(failed.get("response").get("error"), "{\"code\": \"rate_limit_exceeded\", \"message\": \"Slow down\"}");
    assertThat(encoder.encode(new StreamEvent.TextDelta(0, "lo")).length()).isZero();
    assertThat(encoder.encode(new StreamEvent.End()).length()).isZero();
    assertThat(encoder.failure("server_error", "again").length()).isZero();
  }

  @Test
  void aFailureBeforeTheStartIsOnlyAnError() {
    List<JsonNode> events = frames(new ResponsesStreamEncoder(JSON, request()).failure("server_error", "Upstream down"));
    assertThat(types(events)).containsExactly("error");
    assertThat(events.getFirst().get("sequence_number").asInt()).isZero();
  }

  @Test
  void afterTheEndNothingMoreIsWritten() {
    ResponsesStreamEncoder encoder = new ResponsesStreamEncoder(JSON, request());
    encode(encoder, new StreamEvent.Start(ID, "m", 1L), new StreamEvent.End());
    assertThat(encoder.encode(new StreamEvent.TextDelta(0, "late")).length()).isZero();
    assertThat(encoder.failure("server_error", "late").length()).isZero();
  }

  /**
   * Text with line breaks and multi-byte characters stays one {@code data:} line per event, and an
   * SSE reader splits the bytes into the same events however the network cuts them.
   */
  @Test
  void theWireSplitsIntoTheSameEventsAtEveryByteBoundary() {
    ResponsesStreamEncoder encoder = new ResponsesStreamEncoder(JSON, request());
    Buffer wire = Buffer.buffer();
    for (StreamEvent e : List.of(new StreamEvent.Start(ID, "m", 1L), new StreamEvent.TextDelta(0, "caf\u00e9\n\u2615\r\n"),
        new StreamEvent.ToolCallStart(0, 0, "call_1", "f"), new StreamEvent.ToolCallDelta(0, 0, "{\"a\":\"\\n\"}"),
        new StreamEvent.Finish(0, StopReason.TOOL_CALLS), new StreamEvent.End())) {
      wire.appendBuffer(encoder.encode(e));
    }
    List<JsonNode> whole = frames(wire);
    assertThat(whole).hasSize(13);
    assertThat(whole.get(4).get("delta").asText()).isEqualTo("caf\u00e9\n\u2615\r\n");
    for (int cut = 0; cut <= wire.length(); cut++) {
      SseSplitter splitter = new SseSplitter(1 << 20);
      List<Buffer> events = new ArrayList<>(splitter.feed(wire.getBuffer(0, cut)));
      events.addAll(splitter.feed(wire.getBuffer(cut, wire.length())));
      assertThat(events).as("cut at %d", cut).hasSize(whole.size());
      Buffer joined = Buffer.buffer();
      events.forEach(joined::appendBuffer);
      assertThat(frames(joined)).as("cut at %d", cut).isEqualTo(whole);
    }
  }

  @Test
  void refusesStreamsThatBreakTheCanonicalProtocol() {
    ResponsesStreamEncoder notStarted = new ResponsesStreamEncoder(JSON, request());
    assertThatThrownBy(() -> notStarted.encode(new StreamEvent.TextDelta(0, "x")))
        .isInstanceOf(IllegalStateException.class);

    ResponsesStreamEncoder twoCandidates = new ResponsesStreamEncoder(JSON, request());
    twoCandidates.encode(new StreamEvent.Start(ID, "m", 1L));
    assertThatThrownBy(() -> twoCandidates.encode(new StreamEvent.TextDelta(1, "x")))
        .isInstanceOf(TranslationException.class);

    ResponsesStreamEncoder unknownTool = new ResponsesStreamEncoder(JSON, request());
    unknownTool.encode(new StreamEvent.Start(ID, "m", 1L));
    assertThatThrownBy(() -> unknownTool.encode(new StreamEvent.ToolCallDelta(0, 3, "{}")))
        .isInstanceOf(TranslationException.class);

    ResponsesStreamEncoder reused = new ResponsesStreamEncoder(JSON, request());
    reused.encode(new StreamEvent.Start(ID, "m", 1L));
    reused.encode(new StreamEvent.ToolCallStart(0, 0, "a", "f"));
    reused.encode(new StreamEvent.TextDelta(0, "x"));
    assertThatThrownBy(() -> reused.encode(new StreamEvent.ToolCallStart(0, 0, "b", "f")))
        .isInstanceOf(TranslationException.class);
  }
}
