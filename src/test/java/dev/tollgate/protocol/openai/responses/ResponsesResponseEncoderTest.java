package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.responses.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.responses.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesResponseEncoderTest {
  private final ResponsesResponseEncoder encoder = new ResponsesResponseEncoder(JSON);

  private static ResponsesRequest request(String body) {
    return new ResponsesRequestDecoder(JSON).decode(Buffer.buffer(body));
  }

  private static ChatResponse answer(StopReason reason, Usage usage, Part... parts) {
    return new ChatResponse("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "gpt-4.1-2025-04-14", 1741476542L,
        List.of(new ChatResponse.Candidate(0, List.of(parts), reason)), usage);
  }

  /** The API reference's text example, as we write it from a chat-completions upstream's answer. */
  @Test
  void writesATextAnswerAsTheApiDoes() {
    ResponsesRequest request = request("""
        {"model": "gpt-4.1", "input": "Tell me a three sentence bedtime story about a unicorn."}
        """);
    String text = "In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool.";
    Buffer out = encoder.encodeBuffer(answer(StopReason.END, new Usage(36, 87, 0, 0, 0), new Part.Text(text)), request);
    assertJsonEquals(tree(out.toString()), """
        {
          "id": "resp_chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
          "object": "response",
          "created_at": 1741476542,
          "status": "completed",
          "background": false,
          "error": null,
          "incomplete_details": null,
          "instructions": null,
          "max_output_tokens": null,
          "model": "gpt-4.1-2025-04-14",
          "output": [
            {
              "id": "msg_chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG_0",
              "type": "message",
              "status": "completed",
              "role": "assistant",
              "content": [
                {"type": "output_text", "annotations": [], "logprobs": [], "text": "%s"}
              ]
            }
          ],
          "parallel_tool_calls": true,
          "previous_response_id": null,
          "reasoning": {"effort": null, "summary": null},
          "store": false,
          "temperature": 1.0,
          "text": {"format": {"type": "text"}, "verbosity": "medium"},
          "tool_choice": "auto",
          "tools": [],
          "top_p": 1.0,
          "truncation": "disabled",
          "usage": {
            "input_tokens": 36,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 87,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 123
          },
          "user": null,
          "safety_identifier": null,
          "metadata": {}
        }
        """.formatted(text));
  }

  @Test
  void writesReasoningWithItsSignaturesTextAndToolCallsAsItemsInOrderAndEchoesTheRequest() {
    ResponsesRequest request = request("""
        {"model": "claude-sonnet-4-5", "instructions": "Be brief.", "input": "Weather?", "temperature": 0.3,
         "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}, "strict": true}],
         "tool_choice": "required", "parallel_tool_calls": false, "user": "u1", "reasoning": {"effort": "high"}}
        """);
    ChatResponse response = new ChatResponse("msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-5", 1738634724L,
        List.of(new ChatResponse.Candidate(0, List.of(
            new Part.Reasoning("I should ", "sig-a", null),
            new Part.Reasoning("look it up.", "sig-b", null),
            new Part.Reasoning("", null, "EncryptedRedacted"),
            new Part.Reasoning("Unsigned, ", null, null),
            new Part.Reasoning("then unsigned.", null, null),
            new Part.Text("Checking "),
            new Part.Text("now."),
            new Part.ToolCall("toolu_01", "get_weather", "{\"city\":\"Paris\"}"),
            new Part.Text("Done.")), StopReason.TOOL_CALLS)),
        new Usage(2095, 503, 1800, 200, 120));
    var out = encoder.encode(response, request);
    assertJsonEquals(out.get("output"), """
        [
          {"id": "rs_msg_01XFDUDYJgAACzvnptvVoYEL_0", "type": "reasoning",
           "summary": [{"type": "summary_text", "text": "I should "}],
           "encrypted_content": "tollgate.reasoning.v1.eyJzaWduYXR1cmUiOiJzaWctYSJ9"},
          {"id": "rs_msg_01XFDUDYJgAACzvnptvVoYEL_1", "type": "reasoning",
           "summary": [{"type": "summary_text", "text": "look it up."}],
           "encrypted_content": "tollgate.reasoning.v1.eyJzaWduYXR1cmUiOiJzaWctYiJ9"},
          {"id": "rs_msg_01XFDUDYJgAACzvnptvVoYEL_2", "type": "reasoning", "summary": [],
           "encrypted_content": "tollgate.reasoning.v1.eyJyZWRhY3RlZCI6IkVuY3J5cHRlZFJlZGFjdGVkIn0"},
          {"id": "rs_msg_01XFDUDYJgAACzvnptvVoYEL_3", "type": "reasoning",
           "summary": [{"type": "summary_text", "text": "Unsigned, then unsigned."}]},
          {"id": "msg_msg_01XFDUDYJgAACzvnptvVoYEL_4", "type": "message", "status": "completed", "role": "assistant",
           "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": "Checking now."}]},
          {"id": "fc_msg_01XFDUDYJgAACzvnptvVoYEL_5", "type": "function_call", "status": "completed",
           "arguments": "{\\"city\\":\\"Paris\\"}", "call_id": "toolu_01", "name": "get_weather"},
          {"id": "msg_msg_01XFDUDYJgAACzvnptvVoYEL_6", "type": "message", "status": "completed", "role": "assistant",
           "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": "Done."}]}
        ]
        """);
    assertThat(out.get("status").asText()).isEqualTo("completed");
    assertThat(out.get("instructions").asText()).isEqualTo("Be brief.");
    assertThat(out.get("temperature").asDouble()).isEqualTo(0.3);
    assertThat(out.get("tool_choice").asText()).isEqualTo("required");
    assertThat(out.get("parallel_tool_calls").asBoolean()).isFalse();
    assertThat(out.get("user").asText()).isEqualTo("u1");
    assertJsonEquals(out.get("reasoning"), "{\"effort\": \"high\", \"summary\": null}");
    assertJsonEquals(out.get("tools"), """
        [{"type": "function", "name": "get_weather", "description": null, "parameters": {"type": "object"},
          "strict": true}]
        """);
    assertJsonEquals(out.get("usage"), """
        {"input_tokens": 2095, "input_tokens_details": {"cached_tokens": 1800, "cache_write_tokens": 200},
         "output_tokens": 503, "output_tokens_details": {"reasoning_tokens": 120}, "total_tokens": 2598}
        """);
  }

  @Test
  void aCutOffAnswerIsIncompleteWithTheReason() {
    ResponsesRequest request = request("{\"model\": \"m\", \"input\": \"x\", \"max_output_tokens\": 16}");
    var maxTokens = encoder.encode(answer(StopReason.MAX_TOKENS, null, new Part.Text("Once upon")), request);
    assertThat(maxTokens.get("status").asText()).isEqualTo("incomplete");
    assertJsonEquals(maxTokens.get("incomplete_details"), "{\"reason\": \"max_output_tokens\"}");
    assertThat(maxTokens.get("output").get(0).get("status").asText()).isEqualTo("incomplete");
    assertThat(maxTokens.get("max_output_tokens").asInt()).isEqualTo(16);
    assertThat(maxTokens.get("usage").isNull()).isTrue();

    var filtered = encoder.encode(answer(StopReason.CONTENT_FILTER, Usage.NONE), request);
    assertThat(filtered.get("status").asText()).isEqualTo("incomplete");
    assertJsonEquals(filtered.get("incomplete_details"), "{\"reason\": \"content_filter\"}");
    assertThat(filtered.get("output")).isEmpty();

    for (StopReason completed : List.of(StopReason.END, StopReason.STOP_SEQUENCE, StopReason.TOOL_CALLS,
        StopReason.OTHER)) {
      var out = encoder.encode(answer(completed, Usage.NONE, new Part.Text("x")), request);
      assertThat(out.get("status").asText()).as("%s", completed).isEqualTo("completed");
      assertThat(out.get("incomplete_details").isNull()).isTrue();
    }
  }

  @Test
  void refusesWhatAResponseCannotHold() {
    ResponsesRequest request = request("{\"model\": \"m\", \"input\": \"x\"}");
    assertThatThrownBy(() -> encoder.encode(answer(StopReason.END, null, Part.Image.ofUrl("https://x/y.png")), request))
        .isInstanceOfSatisfying(TranslationException.class,
            e -> assertThat(e.field()).isEqualTo("candidates[0].parts[0]"));
    ChatResponse two = new ChatResponse("id", "m", 1L, List.of(
        new ChatResponse.Candidate(0, List.of(new Part.Text("a")), StopReason.END),
        new ChatResponse.Candidate(1, List.of(new Part.Text("b")), StopReason.END)), null);
    assertThatThrownBy(() -> encoder.encode(two, request))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo("candidates"));
  }

  @Test
  void idsKeepOnlyCharactersSafeInEveryPosition() {
    ResponsesRequest request = request("{\"model\": \"m\", \"input\": \"x\"}");
    ChatResponse odd = new ChatResponse("projects/p/answers:1 2", "m", 1L,
        List.of(new ChatResponse.Candidate(0, List.of(new Part.Text("a")), StopReason.END)), null);
    var out = encoder.encode(odd, request);
    assertThat(out.get("id").asText()).isEqualTo("resp_projectspanswers12");
    assertThat(out.get("output").get(0).get("id").asText()).isEqualTo("msg_projectspanswers12_0");
    ChatResponse none = new ChatResponse("", "m", 1L,
        List.of(new ChatResponse.Candidate(0, List.of(), StopReason.END)), null);
    assertThat(encoder.encode(none, request).get("id").asText()).isEqualTo("resp_0");
  }
}
