package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.translate.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
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
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What we write, the official OpenAI Java SDK reads and validates (answers, stream chunks, which its
 * accumulator rebuilds into the answer, and request bodies); what it writes, we read.
 */
class OpenAiSdkConformanceTest {
  private static final JsonMapper SDK = ObjectMappers.jsonMapper();

  private static final ChatResponse ANSWER = new ChatResponse("msg_01", "claude-sonnet-4-5", 1738634724L,
      List.of(new ChatResponse.Candidate(0, List.of(
          new Part.Reasoning("Two lookups.", "sig", null),
          new Part.Text("Let me check."),
          new Part.ToolCall("toolu_01", "get_weather", "{\"city\":\"Paris\"}"),
          new Part.ToolCall("toolu_02", "get_weather", "{\"city\":\"Rome\"}")), StopReason.TOOL_CALLS)),
      new Usage(2095, 503, 1800, 200, 120));

  @Test
  void theSdkReadsOurAnswers() throws Exception {
    String json = new OpenAiResponseEncoder(JSON).encode(ANSWER).toString();
    ChatCompletion completion = SDK.readValue(json, ChatCompletion.class).validate();
    assertThat(completion.id()).isEqualTo("msg_01");
    ChatCompletion.Choice choice = completion.choices().getFirst();
    assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
    assertThat(choice.message().content()).contains("Let me check.");
    List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
        .map(c -> c.asFunction()).toList();
    assertThat(calls).extracting(ChatCompletionMessageFunctionToolCall::id).containsExactly("toolu_01", "toolu_02");
    assertThat(calls.get(1).function().arguments()).isEqualTo("{\"city\":\"Rome\"}");
    assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(2095);
    assertThat(completion.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens()).contains(1800L);
    assertThat(completion.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens())
        .contains(120L);
  }

  @Test
  void theSdkAccumulatesOurStreamIntoTheSameAnswer() throws Exception {
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(JSON, true);
    Buffer wire = Buffer.buffer();
    for (StreamEvent e : List.of(
        new StreamEvent.Start("msg_01", "claude-sonnet-4-5", 1738634724L),
        new StreamEvent.ReasoningDelta(0, "Two lookups.", null),
        new StreamEvent.TextDelta(0, "Let me "),
        new StreamEvent.TextDelta(0, "check."),
        new StreamEvent.ToolCallStart(0, 0, "toolu_01", "get_weather"),
        new StreamEvent.ToolCallDelta(0, 0, "{\"city\":"),
        new StreamEvent.ToolCallDelta(0, 0, "\"Paris\"}"),
        new StreamEvent.ToolCallStart(0, 1, "toolu_02", "get_weather"),
        new StreamEvent.ToolCallDelta(0, 1, "{\"city\":\"Rome\"}"),
        new StreamEvent.UsageReport(new Usage(2095, 503, 1800, 200, 120)),
        new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
        new StreamEvent.End())) {
      wire.appendBuffer(encoder.encode(e));
    }
    List<String> data = Sse.data(wire.toString(StandardCharsets.UTF_8));
    assertThat(data.getLast()).isEqualTo("[DONE]");
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    for (String chunk : data.subList(0, data.size() - 1)) {
      accumulator.accumulate(SDK.readValue(chunk, ChatCompletionChunk.class).validate());
    }
    ChatCompletion rebuilt = accumulator.chatCompletion();
    String expected = new OpenAiResponseEncoder(JSON).encode(ANSWER).toString();
    ChatCompletion whole = SDK.readValue(expected, ChatCompletion.class);
    assertThat(rebuilt.choices().getFirst().message().content()).isEqualTo(whole.choices().getFirst().message().content());
    assertThat(rebuilt.choices().getFirst().message().toolCalls()).isEqualTo(
        whole.choices().getFirst().message().toolCalls());
    assertThat(rebuilt.choices().getFirst().finishReason()).isEqualTo(whole.choices().getFirst().finishReason());
    assertThat(rebuilt.usage().orElseThrow().totalTokens()).isEqualTo(2598);
  }

  @Test
  void theSdkReadsOurRequestsAndWritesThemBackUnchanged() throws Exception {
    CanonicalRequests b = CanonicalRequests.with(
        new Message(Role.USER, List.of(new Part.Text("Weather here?"), Part.Image.inline("image/png", "iVBOR"))),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("call_1", List.of(new Part.Text("18C")), false))));
    b.system.add(new Part.Text("Be terse."));
    b.model = "gpt-4o";
    b.maxTokens = 256;
    b.temperature = 0.3;
    b.stop.add("END");
    b.stream = true;
    b.tools.add(new Tool("get_weather", "Weather by city", "{\"type\":\"object\",\"properties\":{}}", true));
    b.toolChoice = ToolChoice.REQUIRED;
    b.parallelToolCalls = false;
    b.responseFormat = new ResponseFormat.JsonSchema("answer", "{\"type\":\"object\"}", true);
    b.user = "u-1";
    b.extensions.put("seed", "7");
    ObjectNode ours = new OpenAiChatEncoder(JSON, OpenAiFlavor.OPENAI).encode(b.build());
    ChatCompletionCreateParams.Body body = SDK.readValue(ours.toString(), ChatCompletionCreateParams.Body.class)
        .validate();
    assertThat(body.messages()).hasSize(4);
    assertThat(body.seed()).contains(7L);
    assertJsonEquals(tree(SDK.writeValueAsString(body)), ours);
  }

  @Test
  void requestsTheSdkBuildsSurviveDecodeAndEncode() throws Exception {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini")
        .addSystemMessage("You are a helpful assistant.")
        .addUserMessage("Say this is a test")
        .maxCompletionTokens(100)
        .temperature(0.5)
        .n(2)
        .seed(42)
        .user("user-1234")
        .build();
    String wire = SDK.writeValueAsString(params._body());
    ChatRequest canonical = new OpenAiChatDecoder(JSON).decode(Buffer.buffer(wire)).chat();
    assertThat(canonical.candidates()).isEqualTo(2);
    assertJsonEquals(new OpenAiChatEncoder(JSON, OpenAiFlavor.OPENAI).encode(canonical), wire);
  }
}
