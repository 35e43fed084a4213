package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.chunk;
import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official openai-java SDK as the client, Tollgate in the middle, a scripted upstream behind:
 * what the SDK sees equals what the upstream sent, and usage records equal the upstream's usage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {
  private FakeUpstream upstream;
  private TestGateway gateway;
  private OpenAIClient client;
  private String key;

  @BeforeAll
  void start() {
    upstream = FakeUpstream.start();
    gateway = TestGateway.withUpstream(upstream);
    key = gateway.createKey("{\"name\":\"sdk\",\"models\":[\"m\"]}");
    client = OpenAIOkHttpClient.builder()
        .apiKey(key)
        .baseUrl(gateway.baseUrl() + "/v1")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  @AfterAll
  void stop() {
    client.close();
    gateway.close();
    upstream.close();
  }

  private static String requestId() {
    return "sdk-" + UUID.randomUUID();
  }

  private static <T> T parse(String json, Class<T> type) throws Exception {
    return ObjectMappers.jsonMapper().readValue(json, type);
  }

  private UsageEvent onlyUsage(String requestId) {
    List<UsageEvent> events = gateway.usage(requestId);
    assertThat(events).hasSize(1);
    return events.getFirst();
  }

  @Test
  void plainChatArrivesAsTheUpstreamSentItAndIsBilledExactly() throws Exception {
    String body = FakeUpstream.chatCompletion("Hello there", 12, 7);
    upstream.enqueue(json(200, body));
    String id = requestId();

    ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("m").addUserMessage("Hi").putAdditionalHeader("x-request-id", id).build());

    assertThat(answer).isEqualTo(parse(body, ChatCompletion.class));
    FakeUpstream.Received sent = upstream.last();
    assertThat(sent.uri()).isEqualTo("/v1/chat/completions");
    assertThat(sent.body().get("model").asText()).isEqualTo("upstream-model");
    assertThat(sent.body().get("messages").get(0).get("content").asText()).isEqualTo("Hi");
    Map<String, String> headers = FakeUpstream.headersOf(sent);
    assertThat(headers.get("authorization")).isEqualTo("Bearer sk-upstream-secret");
    assertThat(headers.get("x-request-id")).isEqualTo(id);

    UsageEvent usage = onlyUsage(id);
    assertThat(usage.inputTokens()).isEqualTo(12);
    assertThat(usage.outputTokens()).isEqualTo(7);
    assertThat(usage.estimated()).isFalse();
    // 12 tokens at $1/MTok + 7 at $2/MTok = 26 micro-dollars
    assertThat(usage.costMicros()).isEqualTo(26);
    assertThat(usage.model()).isEqualTo("m");
    assertThat(usage.deployment()).isEqualTo("fake/upstream-model");
    assertThat(usage.upstreamModel()).isEqualTo("upstream-model");
    assertThat(usage.status()).isEqualTo("ok");
    assertThat(usage.httpStatus()).isEqualTo(200);
    assertThat(usage.streamed()).isFalse();
    assertThat(usage.keyId()).isNotEqualTo("master");
  }

  @Test
  void toolCallsAndUnknownFieldsPassThroughUntouched() throws Exception {
    String body = """
        {"id":"chatcmpl-tools","object":"chat.completion","created":1700000001,"model":"upstream-model",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
           "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather",
             "arguments":"{\\"city\\":\\"Paris\\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":40,"completion_tokens":9,"total_tokens":49}}""";
    upstream.enqueue(json(200, body));
    String id = requestId();

    ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("m")
        .addUserMessage("Weather in Paris?")
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
            .name("get_weather")
            .parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .build())
            .build()).build())
        .putAdditionalBodyProperty("vendor_extension", JsonValue.from(Map.of("keep", List.of(1, 2.5, "x"))))
        .putAdditionalHeader("x-request-id", id)
        .build());

    assertThat(answer).isEqualTo(parse(body, ChatCompletion.class));
    var call = answer.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
    JsonNode sent = upstream.last().body();
    assertThat(sent.get("tools").get(0).get("function").get("name").asText()).isEqualTo("get_weather");
    assertThat(sent.get("vendor_extension").toString()).isEqualTo("{\"keep\":[1,2.5,\"x\"]}");
    assertThat(onlyUsage(id).inputTokens()).isEqualTo(40);
  }

  @Test
  void jsonModeAndMultipleChoices() throws Exception {
    String body = """
        {"id":"chatcmpl-n","object":"chat.completion","created":1700000002,"model":"upstream-model",
         "choices":[
          {"index":0,"message":{"role":"assistant","content":"{\\"a\\":1}","refusal":null},"logprobs":null,"finish_reason":"stop"},
          {"index":1,"message":{"role":"assistant","content":"{\\"a\\":2}","refusal":null},"logprobs":null,"finish_reason":"stop"},
          {"index":2,"message":{"role":"assistant","content":"{\\"a\\":3}","refusal":null},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":20,"completion_tokens":15,"total_tokens":35}}""";
    upstream.enqueue(json(200, body));
    String id = requestId();

    ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("m").addUserMessage("JSON please").n(3)
        .responseFormat(ResponseFormatJsonObject.builder().build())
        .putAdditionalHeader("x-request-id", id).build());

    assertThat(answer).isEqualTo(parse(body, ChatCompletion.class));
    assertThat(answer.choices()).hasSize(3);
    JsonNode sent = upstream.last().body();
    assertThat(sent.get("n").asInt()).isEqualTo(3);
    assertThat(sent.get("response_format").get("type").asText()).isEqualTo("json_object");
    assertThat(onlyUsage(id).outputTokens()).isEqualTo(15);
  }

  @Test
  void streamWithoutIncludeUsageIsBilledButTheClientSeesNoUsageChunk() {
    List<String> events = FakeUpstream.stream(List.of("Hel", "lo", " world"), 11, 3);
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(2), events));
    String id = requestId();

    List<ChatCompletionChunk> chunks;
    try (var stream = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
        .model("m").addUserMessage("Hi").putAdditionalHeader("x-request-id", id).build())) {
      chunks = stream.stream().toList();
    }

    String text = chunks.stream().flatMap(c -> c.choices().stream())
        .map(c -> c.delta().content().orElse("")).reduce("", String::concat);
    assertThat(text).isEqualTo("Hello world");
    assertThat(chunks).hasSize(4); // three deltas and the finish chunk; the usage chunk was the gateway's
    assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    JsonNode sent = upstream.last().body();
    assertThat(sent.get("stream").asBoolean()).isTrue();
    assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();

    UsageEvent usage = onlyUsage(id);
    assertThat(usage.streamed()).isTrue();
    assertThat(usage.inputTokens()).isEqualTo(11);
    assertThat(usage.outputTokens()).isEqualTo(3);
    assertThat(usage.estimated()).isFalse();
    assertThat(usage.status()).isEqualTo("ok");
    assertThat(usage.ttftMs()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void streamWithIncludeUsageShowsTheUpstreamsUsage() {
    List<String> events = FakeUpstream.stream(List.of("a", "b"), 30, 2);
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(2), events));
    String id = requestId();

    List<ChatCompletionChunk> chunks;
    try (var stream = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
        .model("m").addUserMessage("Hi")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .putAdditionalHeader("x-request-id", id).build())) {
      chunks = stream.stream().toList();
    }

    var usageChunk = chunks.getLast();
    assertThat(usageChunk.choices()).isEmpty();
    assertThat(usageChunk.usage().orElseThrow().promptTokens()).isEqualTo(30);
    assertThat(usageChunk.usage().orElseThrow().completionTokens()).isEqualTo(2);
    assertThat(onlyUsage(id).inputTokens()).isEqualTo(30);
  }

  @Test
  void streamedChunksAreTheUpstreamsBytes() {
    List<String> events = List.of(chunk("x"), "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1,\"model\":\"u\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"y\"},"
        + "\"finish_reason\":null}],\"odd_field\":  [1,   2]}\n\n", FakeUpstream.usageChunk(1, 2, 0, 0),
        FakeUpstream.DONE);
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(1), events));
    var response = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(String.join("", events));
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
  }

  @Test
  void legacyCompletions() throws Exception {
    String body = """
        {"id":"cmpl-1","object":"text_completion","created":1700000003,"model":"upstream-model",
         "choices":[{"index":0,"text":" world","logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}""";
    upstream.enqueue(json(200, body));
    String id = requestId();

    Completion answer = client.completions().create(CompletionCreateParams.builder()
        .model("m").prompt("Hello").putAdditionalHeader("x-request-id", id).build());

    assertThat(answer).isEqualTo(parse(body, Completion.class));
    assertThat(upstream.last().uri()).isEqualTo("/v1/completions");
    assertThat(upstream.last().body().get("prompt").asText()).isEqualTo("Hello");
    UsageEvent usage = onlyUsage(id);
    assertThat(usage.endpoint()).isEqualTo("completions");
    assertThat(usage.inputTokens()).isEqualTo(2);
    assertThat(usage.outputTokens()).isEqualTo(1);
  }

  @Test
  void embeddings() throws Exception {
    String body = """
        {"object":"list","model":"upstream-model","data":[{"object":"embedding","index":0,
         "embedding":[0.125,-0.5,0.75]}],"usage":{"prompt_tokens":4,"total_tokens":4}}""";
    upstream.enqueue(json(200, body));
    String id = requestId();

    CreateEmbeddingResponse answer = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("m").input("some text").putAdditionalHeader("x-request-id", id).build());

    assertThat(answer).isEqualTo(parse(body, CreateEmbeddingResponse.class));
    assertThat(answer.data().getFirst().embedding()).containsExactly(0.125f, -0.5f, 0.75f);
    assertThat(upstream.last().uri()).isEqualTo("/v1/embeddings");
    UsageEvent usage = onlyUsage(id);
    assertThat(usage.endpoint()).isEqualTo("embeddings");
    assertThat(usage.inputTokens()).isEqualTo(4);
    assertThat(usage.outputTokens()).isZero();
    assertThat(usage.costMicros()).isEqualTo(4); // 4 tokens at $1/MTok
  }

  @Test
  void modelListingShowsOnlyWhatTheKeyMayUse() {
    List<String> mine = client.models().list().data().stream().map(Model::id).toList();
    assertThat(mine).containsExactly("m");
    assertThat(client.models().retrieve("m").id()).isEqualTo("m");
    assertThatThrownBy(() -> client.models().retrieve("other")).isInstanceOf(NotFoundException.class);

    OpenAIClient admin = OpenAIOkHttpClient.builder().apiKey(TestGateway.MASTER_KEY)
        .baseUrl(gateway.baseUrl() + "/v1").maxRetries(0).build();
    try {
      assertThat(admin.models().list().data().stream().map(Model::id).toList()).containsExactly("m", "other");
    } finally {
      admin.close();
    }
  }
}
