package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.Reasoning;
import com.openai.models.ReasoningEffort;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.ToolChoiceOptions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK reads and validates what we write (response objects and every stream
 * event, which its accumulator rebuilds into the same response), and we read what it writes
 * (request bodies, including a follow-up built from our own answer's output items).
 */
class ResponsesSdkConformanceTest {
  private static final JsonMapper SDK = ObjectMappers.jsonMapper();

  private static final ChatResponse ANSWER = new ChatResponse("msg_01", "claude-sonnet-4-5", 1738634724L,
      List.of(new ChatResponse.Candidate(0, List.of(
          new Part.Reasoning("Two lookups.", "sig", null),
          new Part.Text("Let me check."),
          new Part.ToolCall("toolu_01", "get_weather", "{\"city\":\"Paris\"}"),
          new Part.ToolCall("toolu_02", "get_weather", "{\"city\":\"Rome\"}")), StopReason.TOOL_CALLS)),
      new Usage(2095, 503, 1800, 200, 120));

  private static final List<StreamEvent> STREAM = List.of(
      new StreamEvent.Start("msg_01", "claude-sonnet-4-5", 1738634724L),
      new StreamEvent.ReasoningDelta(0, "Two ", null),
      new StreamEvent.ReasoningDelta(0, "lookups.", null),
      new StreamEvent.ReasoningDelta(0, null, "sig"),
      new StreamEvent.TextDelta(0, "Let me "),
      new StreamEvent.TextDelta(0, "check."),
      new StreamEvent.ToolCallStart(0, 0, "toolu_01", "get_weather"),
      new StreamEvent.ToolCallDelta(0, 0, "{\"city\":"),
      new StreamEvent.ToolCallDelta(0, 0, "\"Paris\"}"),
      new StreamEvent.ToolCallStart(0, 1, "toolu_02", "get_weather"),
      new StreamEvent.ToolCallDelta(0, 1, "{\"city\":\"Rome\"}"),
      new StreamEvent.UsageReport(new Usage(2095, 503, 1800, 200, 120)),
      new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
      new StreamEvent.End());

  private static ResponsesRequest request() {
    return new ResponsesRequestDecoder(JSON).decode(Buffer.buffer("""
        {"model": "claude-sonnet-4-5", "instructions": "Be brief.", "input": "Weather in Paris and Rome?",
         "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}, "strict": false}],
         "max_output_tokens": 1024, "reasoning": {"effort": "low"}, "metadata": {"team": "a"}}
        """));
  }

  @Test
  void theSdkReadsAndValidatesOurResponse() throws Exception {
    String json = new ResponsesResponseEncoder(JSON).encodeBuffer(ANSWER, request()).toString();
    Response response = SDK.readValue(json, Response.class).validate();
    assertThat(response.id()).isEqualTo("resp_msg_01");
    assertThat(response.status().orElseThrow().asString()).isEqualTo("completed");
    assertThat(response.instructions().orElseThrow().asString()).isEqualTo("Be brief.");
    assertThat(response.maxOutputTokens()).contains(1024L);
    List<ResponseOutputItem> output = response.output();
    assertThat(output).hasSize(4);
    assertThat(output.get(0).reasoning().orElseThrow().summary().getFirst().text()).isEqualTo("Two lookups.");
    assertThat(output.get(1).message().orElseThrow().content().getFirst().asOutputText().text())
        .isEqualTo("Let me check.");
    ResponseFunctionToolCall rome = output.get(3).functionCall().orElseThrow();
    assertThat(rome.callId()).isEqualTo("toolu_02");
    assertThat(rome.arguments()).isEqualTo("{\"city\":\"Rome\"}");
    assertThat(response.tools().getFirst().asFunction().name()).isEqualTo("get_weather");
    assertThat(response.usage().orElseThrow().inputTokens()).isEqualTo(2095);
    assertThat(response.usage().orElseThrow().inputTokensDetails().cachedTokens()).isEqualTo(1800);
    assertThat(response.usage().orElseThrow().outputTokensDetails().reasoningTokens()).isEqualTo(120);
    assertThat(response.usage().orElseThrow().totalTokens()).isEqualTo(2598);
  }

  /** Every shape of echoed setting the decoder accepts is one the SDK's response type validates. */
  @Test
  void theSdkValidatesTheEchoOfEveryAcceptedSetting() throws Exception {
    for (String settings : List.of(
        "\"text\": {\"format\": {\"type\": \"json_schema\", \"name\": \"a\", \"schema\": {\"type\": \"object\"},"
            + " \"strict\": true, \"description\": \"d\"}, \"verbosity\": \"low\"}",
        "\"text\": {\"format\": {\"type\": \"json_object\"}}",
        "\"tool_choice\": {\"type\": \"function\", \"name\": \"f\"}, \"tools\": [{\"type\": \"function\","
            + " \"name\": \"f\", \"description\": \"d\"}]",
        "\"tool_choice\": \"none\", \"parallel_tool_calls\": false, \"top_p\": 0.5, \"temperature\": 0",
        "\"reasoning\": {\"effort\": \"minimal\", \"summary\": \"detailed\"}, \"safety_identifier\": \"s\"",
        "\"user\": \"u\", \"store\": false, \"background\": false, \"truncation\": \"disabled\"")) {
      ResponsesRequest request = new ResponsesRequestDecoder(JSON).decode(Buffer.buffer(
          "{\"model\": \"m\", \"input\": \"x\", " + settings + "}"));
      String json = new ResponsesResponseEncoder(JSON).encodeBuffer(ANSWER, request).toString();
      Response response = SDK.readValue(json, Response.class);
      assertThat(response.isValid()).as(settings).isTrue();
      response.validate();
    }
  }

  @Test
  void theSdkValidatesEveryStreamEventAndRebuildsTheResponse() throws Exception {
    List<ResponseStreamEvent> events = parse(encode(STREAM));
    ResponseAccumulator accumulator = ResponseAccumulator.createWithSnapshots();
    for (ResponseStreamEvent e : events) {
      accumulator.accumulate(e);
    }
    assertThat(events.getFirst().isCreated()).isTrue();
    assertThat(events.getLast().isCompleted()).isTrue();
    Response completed = accumulator.response();
    String whole = new ResponsesResponseEncoder(JSON).encodeBuffer(ANSWER, request()).toString();
    Response expected = SDK.readValue(whole, Response.class);
    assertThat(completed.output()).isEqualTo(expected.output());
    assertThat(completed.usage()).isEqualTo(expected.usage());
    assertThat(accumulator.reconstructedResponse().output()).isEqualTo(expected.output());
  }

  @Test
  void theSdkReadsACutOffStreamAsIncompleteAndAFailureAsAnErrorAndAFailedResponse() throws Exception {
    List<ResponseStreamEvent> cut = parse(encode(List.of(
        new StreamEvent.Start("msg_02", "gemini-2.5-pro", 1738634724L),
        new StreamEvent.TextDelta(0, "Once upon"),
        new StreamEvent.Finish(0, StopReason.MAX_TOKENS),
        new StreamEvent.End())));
    Response incomplete = cut.getLast().incomplete().orElseThrow().response();
    assertThat(incomplete.incompleteDetails().orElseThrow().reason().orElseThrow().asString())
        .isEqualTo("max_output_tokens");

    ResponsesStreamEncoder encoder = new ResponsesStreamEncoder(JSON, request());
    Buffer wire = encoder.encode(new StreamEvent.Start("msg_03", "gpt-4.1", 1738634724L));
    wire.appendBuffer(encoder.encode(new StreamEvent.TextDelta(0, "Hel")));
    wire.appendBuffer(encoder.failure("overloaded_error", "Overloaded"));
    List<ResponseStreamEvent> failed = parse(wire);
    assertThat(failed.get(failed.size() - 2).error().orElseThrow().message()).isEqualTo("Overloaded");
    Response response = failed.getLast().failed().orElseThrow().response();
    assertThat(response.status().orElseThrow().asString()).isEqualTo("failed");
    assertThat(response.error().orElseThrow().message()).isEqualTo("Overloaded");
  }

  @Test
  void weDecodeWhatTheSdkSends() throws Exception {
    ResponseCreateParams params = ResponseCreateParams.builder()
        .model("gpt-5")
        .instructions("Be brief.")
        .inputOfResponse(List.of(
            ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                .role(EasyInputMessage.Role.USER).content("Weather in Paris?").build()),
            ResponseInputItem.ofFunctionCall(ResponseFunctionToolCall.builder()
                .callId("call_1").name("get_weather").arguments("{\"city\":\"Paris\"}").build()),
            ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId("call_1").output("18C").build())))
        .addTool(FunctionTool.builder().name("get_weather").description("Weather for a city")
            .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                .build())
            .strict(true).build())
        .toolChoice(ToolChoiceOptions.REQUIRED)
        .maxOutputTokens(300L)
        .temperature(0.5)
        .reasoning(Reasoning.builder().effort(ReasoningEffort.LOW).build())
        .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder().name("weather")
            .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object")).build())
            .strict(true).build()).build())
        .store(false)
        .safetyIdentifier("user-42")
        .build();
    String body = SDK.writeValueAsString(params._body());
    ChatRequest chat = new ResponsesRequestDecoder(JSON).decode(Buffer.buffer(body)).chat();
    assertThat(chat.model()).isEqualTo("gpt-5");
    assertThat(chat.system()).containsExactly(new Part.Text("Be brief."));
    assertThat(chat.messages()).containsExactly(
        Message.user("Weather in Paris?"),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("call_1", List.of(new Part.Text("18C")), false))));
    assertThat(chat.tools()).containsExactly(new Tool("get_weather", "Weather for a city", "{\"type\":\"object\"}", true));
    assertThat(chat.toolChoice()).isEqualTo(ToolChoice.REQUIRED);
    assertThat(chat.maxTokens()).isEqualTo(300);
    assertThat(chat.temperature()).isEqualTo(0.5);
    assertThat(chat.user()).isEqualTo("user-42");
    assertThat(chat.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("weather", "{\"type\":\"object\"}", true));
    assertThat(chat.extensions().fields()).containsEntry("reasoning_effort", "\"low\"")
        .doesNotContainKey("tools[0].function.strict");
  }

  /**
   * The SDK's usual tool loop: our answer's output items go back as input, followed by the results;
   * the reasoning keeps its signature, which Anthropic requires back in tool loops with thinking.
   */
  @Test
  void weDecodeAFollowUpBuiltFromOurOwnOutputItems() throws Exception {
    String json = new ResponsesResponseEncoder(JSON).encodeBuffer(ANSWER, request()).toString();
    Response response = SDK.readValue(json, Response.class);
    List<ResponseInputItem> input = new ArrayList<>();
    input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
        .role(EasyInputMessage.Role.USER).content("Weather in Paris and Rome?").build()));
    for (ResponseOutputItem item : response.output()) {
      if (item.isReasoning()) {
        input.add(ResponseInputItem.ofReasoning(item.asReasoning()));
      } else if (item.isMessage()) {
        input.add(ResponseInputItem.ofResponseOutputMessage(item.asMessage()));
      } else {
        input.add(ResponseInputItem.ofFunctionCall(item.asFunctionCall()));
      }
    }
    for (String id : List.of("toolu_01", "toolu_02")) {
      input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
          .callId(id).output("sunny").build()));
    }
    ResponseCreateParams params = ResponseCreateParams.builder().model("claude-sonnet-4-5").inputOfResponse(input)
        .build();
    ChatRequest chat = new ResponsesRequestDecoder(JSON).decode(Buffer.buffer(SDK.writeValueAsString(params._body())))
        .chat();
    assertThat(chat.messages()).containsExactly(
        Message.user("Weather in Paris and Rome?"),
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("Two lookups.", "sig", null),
            new Part.Text("Let me check."),
            new Part.ToolCall("toolu_01", "get_weather", "{\"city\":\"Paris\"}"),
            new Part.ToolCall("toolu_02", "get_weather", "{\"city\":\"Rome\"}"))),
        new Message(Role.TOOL, List.of(
            new Part.ToolResult("toolu_01", List.of(new Part.Text("sunny")), false),
            new Part.ToolResult("toolu_02", List.of(new Part.Text("sunny")), false))));
  }

  private static Buffer encode(List<StreamEvent> events) {
    ResponsesStreamEncoder encoder = new ResponsesStreamEncoder(JSON, request());
    Buffer wire = Buffer.buffer();
    events.forEach(e -> wire.appendBuffer(encoder.encode(e)));
    return wire;
  }

  /** Each SSE event's data as the SDK's event type, validated; its {@code event:} name must match its type. */
  static List<ResponseStreamEvent> parse(Buffer wire) throws Exception {
    List<ResponseStreamEvent> out = new ArrayList<>();
    for (String frame : wire.toString().split("\n\n")) {
      String[] lines = frame.split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      String data = lines[1].substring("data: ".length());
      assertThat(JSON.readTree(data).get("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
      out.add(SDK.readValue(data, ResponseStreamEvent.class).validate());
    }
    return out;
  }
}
