package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.translate.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Canonical events written as the chat.completion.chunk events OpenAI sends. */
class OpenAiStreamEncoderTest {
  private static final String HEAD =
      "\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\"";

  private static String encode(OpenAiStreamEncoder encoder, StreamEvent... events) {
    Buffer out = Buffer.buffer();
    for (StreamEvent e : events) {
      out.appendBuffer(encoder.encode(e));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void assertChunks(String sse, String... expected) {
    List<String> data = Sse.data(sse);
    assertThat(data).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (expected[i].equals("[DONE]")) {
        assertThat(data.get(i)).isEqualTo("[DONE]");
      } else {
        assertJsonEquals(tree(data.get(i)), "{" + HEAD + "," + expected[i] + "}");
      }
    }
  }

  private static final StreamEvent START = new StreamEvent.Start("chatcmpl-123", "gpt-4o-mini", 1694268190L);

  @Test
  void writesATextAnswerWithTheUsageChunkTheCallerAskedFor() {
    String sse = encode(new OpenAiStreamEncoder(JSON, true),
        START,
        new StreamEvent.TextDelta(0, "Hello"),
        new StreamEvent.UsageReport(new Usage(9, 12, 2, 0, 4)),
        new StreamEvent.TextDelta(0, "!"),
        new StreamEvent.Finish(0, StopReason.END),
        new StreamEvent.End());
    assertChunks(sse,
        "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null",
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],"
            + "\"usage\":null",
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"logprobs\":null,\"finish_reason\":null}],"
            + "\"usage\":null",
        "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null",
        "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":2},\"completion_tokens_details\":{\"reasoning_tokens\":4}}",
        "[DONE]");
  }

  @Test
  void withoutIncludeUsageThereIsNoUsageAnywhere() {
    String sse = encode(new OpenAiStreamEncoder(JSON, false),
        START,
        new StreamEvent.TextDelta(0, "Hi"),
        new StreamEvent.Finish(0, StopReason.MAX_TOKENS),
        new StreamEvent.UsageReport(new Usage(1, 1, 0, 0, 0)),
        new StreamEvent.End());
    assertChunks(sse,
        "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":null}]",
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null}]",
        "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}]",
        "[DONE]");
  }

  @Test
  void writesToolCallsWithTheirIdAndNameFirstThenArgumentFragments() {
    String sse = encode(new OpenAiStreamEncoder(JSON, false),
        START,
        new StreamEvent.ReasoningDelta(0, "Need weather.", null),
        new StreamEvent.ReasoningDelta(0, "", "sig-only"),
        new StreamEvent.ToolCallStart(0, 0, "call_abc", "get_weather"),
        new StreamEvent.ToolCallDelta(0, 0, "{\"location\":"),
        new StreamEvent.ToolCallDelta(0, 0, "\"Paris\"}"),
        new StreamEvent.ToolCallStart(0, 1, "call_def", "get_time"),
        new StreamEvent.ToolCallDelta(0, 1, "{}"),
        new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
        new StreamEvent.End());
    String tail = ",\"logprobs\":null,\"finish_reason\":null}]";
    assertChunks(sse,
        "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}" + tail,
        "\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Need weather.\"}" + tail,
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}" + tail,
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
            + "\"{\\\"location\\\":\"}}]}" + tail,
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
            + "\"\\\"Paris\\\"}\"}}]}" + tail,
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_def\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}" + tail,
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}"
            + tail,
        "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]",
        "[DONE]");
  }

  @Test
  void eachChoiceOpensWithItsOwnRoleChunk() {
    String sse = encode(new OpenAiStreamEncoder(JSON, false),
        START,
        new StreamEvent.TextDelta(1, "B"),
        new StreamEvent.TextDelta(0, "A"),
        new StreamEvent.Finish(1, StopReason.END),
        new StreamEvent.Finish(0, StopReason.CONTENT_FILTER),
        new StreamEvent.End());
    String role = "\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
        + "\"finish_reason\":null}]";
    assertChunks(sse,
        "\"choices\":[{\"index\":0," + role,
        "\"choices\":[{\"index\":1," + role,
        "\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"},\"logprobs\":null,\"finish_reason\":null}]",
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"logprobs\":null,\"finish_reason\":null}]",
        "\"choices\":[{\"index\":1,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]",
        "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"content_filter\"}]",
        "[DONE]");
  }

  @Test
  void aFailureIsAnErrorEventAndTheLastThingWritten() {
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(JSON, true);
    encode(encoder, START, new StreamEvent.TextDelta(0, "partial"));
    Buffer failure = encoder.failure("server_error", "The upstream stream broke");
    List<String> data = Sse.data(failure.toString(StandardCharsets.UTF_8));
    assertThat(data).hasSize(1);
    assertJsonEquals(tree(data.getFirst()),
        "{\"error\":{\"message\":\"The upstream stream broke\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
    assertThat(encode(encoder, new StreamEvent.TextDelta(0, "more"), new StreamEvent.End())).isEmpty();
  }

  @Test
  void aFailureEventFromTheProviderIsWrittenTheSameWay() {
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(JSON, false);
    String sse = encode(encoder, START, new StreamEvent.Failure("overloaded_error", "Overloaded"),
        new StreamEvent.End());
    List<String> data = Sse.data(sse);
    assertThat(data).hasSize(2).doesNotContain("[DONE]");
    assertJsonEquals(tree(data.get(1)),
        "{\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\",\"param\":null,\"code\":null}}");
  }
}
