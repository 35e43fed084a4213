package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.ImageBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official Anthropic Java SDK as the client of {@code /v1/messages}: routed to an Anthropic
 * provider (through the canonical model both ways), to an OpenAI-compatible one, and to the built-in
 * mock; errors in Anthropic's shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicSdkTest {
  private FakeUpstream anthropic;
  private FakeUpstream openai;
  private TestGateway gateway;
  private AnthropicClient client;
  private String key;

  @BeforeAll
  void start() {
    anthropic = FakeUpstream.start();
    openai = FakeUpstream.start();
    gateway = TestGateway.start("""
        providers:
          - { name: claude, type: anthropic, base_url: "%s", api_key: "sk-ant-secret" }
          - { name: oai, type: openai, base_url: "%s", api_key: "sk-upstream-secret" }
          - { name: demo, type: mock }
        models:
          - name: claude-sonnet
            deployments: [ { provider: claude, model: claude-sonnet-4-0 } ]
          - name: gpt
            deployments: [ { provider: oai, model: gpt-4o-mini } ]
          - name: offline
            deployments: [ { provider: demo, model: mock-model } ]
        """.formatted(anthropic.baseUrl().replace("/v1", ""), openai.baseUrl()), "");
    gateway.secret("sk-ant-secret");
    key = gateway.createKey("{\"name\":\"sdk\",\"models\":[\"claude-sonnet\",\"gpt\",\"offline\"]}");
    client = AnthropicOkHttpClient.builder().apiKey(key).baseUrl(gateway.baseUrl()).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gateway.close();
    anthropic.close();
    openai.close();
  }

  private static Tool weatherTool() {
    return Tool.builder().name("get_weather").description("Weather for a city")
        .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .addRequired("city").build())
        .build();
  }

  @Test
  void toolUseRoundTripThroughAnAnthropicProvider() {
    anthropic.enqueue(json(200, """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-0",
         "content":[{"type":"text","text":"Let me check."},
                    {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":50,"output_tokens":20,"cache_read_input_tokens":10,"cache_creation_input_tokens":5}}"""));
    String id = "an-" + UUID.randomUUID();

    MessageCreateParams first = MessageCreateParams.builder().model("claude-sonnet").maxTokens(512)
        .system("Be brief.").addUserMessage("Weather in Paris?").addTool(weatherTool())
        .putAdditionalHeader("x-request-id", id).build();
    Message answer = client.messages().create(first);

    answer.validate();
    assertThat(answer.stopReason()).contains(StopReason.TOOL_USE);
    assertThat(answer.content()).hasSize(2);
    assertThat(answer.content().get(1).toolUse().orElseThrow().name()).isEqualTo("get_weather");
    assertThat(answer.content().get(1).toolUse().orElseThrow().id()).isEqualTo("toolu_01A");
    assertThat(answer.usage().inputTokens()).as("Anthropic's input excludes cache").isEqualTo(50);
    assertThat(answer.usage().cacheReadInputTokens()).contains(10L);

    JsonNode sent = anthropic.last().body();
    assertThat(sent.get("model").asText()).isEqualTo("claude-sonnet-4-0");
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(512);
    assertThat(sent.get("system").toString()).contains("Be brief.");
    assertThat(sent.at("/tools/0/name").asText()).isEqualTo("get_weather");
    assertThat(sent.at("/tools/0/input_schema/required/0").asText()).isEqualTo("city");
    assertThat(FakeUpstream.headersOf(anthropic.last())).containsEntry("x-api-key", "sk-ant-secret");

    assertThat(gateway.usage(id)).singleElement().satisfies(u -> {
      assertThat(u.endpoint()).isEqualTo("messages");
      assertThat(u.inputTokens()).as("canonical input counts cache reads and writes").isEqualTo(65);
      assertThat(u.cachedTokens()).isEqualTo(10);
      assertThat(u.outputTokens()).isEqualTo(20);
    });

    // The second turn: the tool result and an image go back upstream in Anthropic's shape.
    anthropic.enqueue(json(200, """
        {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-0",
         "content":[{"type":"text","text":"18C and sunny."}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":80,"output_tokens":6}}"""));
    Message second = client.messages().create(first.toBuilder().addMessage(answer)
        .addUserMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId("toolu_01A").content("18C").build()),
            ContentBlockParam.ofImage(ImageBlockParam.builder().source(Base64ImageSource.builder().data("iVBORw0KGgo=")
                .mediaType(Base64ImageSource.MediaType.IMAGE_PNG).build()).build()),
            ContentBlockParam.ofText(TextBlockParam.builder().text("And tomorrow?").build())))
        .build());
    assertThat(second.content().getFirst().text().orElseThrow().text()).isEqualTo("18C and sunny.");
    JsonNode turn = anthropic.last().body().at("/messages/2/content");
    assertThat(turn.get(0).get("type").asText()).isEqualTo("tool_result");
    assertThat(turn.get(0).get("tool_use_id").asText()).isEqualTo("toolu_01A");
    assertThat(turn.toString()).contains("\"type\":\"image\"").contains("iVBORw0KGgo=").contains("And tomorrow?");
  }

  @Test
  void aStreamFromAnOpenAiCompatibleProviderArrivesAsAnthropicEvents() {
    openai.enqueue(FakeUpstream.sse(Duration.ofMillis(5), FakeUpstream.stream(List.of("Hello", " from", " GPT"), 11, 3)));
    String id = "an-" + UUID.randomUUID();

    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(
        MessageCreateParams.builder().model("gpt").maxTokens(100).addUserMessage("Hi")
            .putAdditionalHeader("x-request-id", id).build())) {
      stream.stream().forEach(e -> {
        e.validate();
        accumulator.accumulate(e);
      });
    }
    Message message = accumulator.message();

    assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo("Hello from GPT");
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.usage().outputTokens()).isEqualTo(3);
    JsonNode sent = openai.last().body();
    assertThat(sent.get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(sent.at("/messages/0/content").toString()).contains("Hi");
    assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(gateway.usage(id)).singleElement().satisfies(u -> {
      assertThat(u.streamed()).isTrue();
      assertThat(u.inputTokens()).isEqualTo(11);
      assertThat(u.outputTokens()).isEqualTo(3);
    });
  }

  @Test
  void theBuiltInMockAnswersAnthropicCallersOffline() {
    Message message = client.messages().create(MessageCreateParams.builder().model("offline").maxTokens(50)
        .addUserMessage("ping").build());

    assertThat(message.content().getFirst().text().orElseThrow().text()).contains("You said: ping");
    assertThat(message.usage().outputTokens()).isPositive();
  }

  @Test
  void errorsComeInAnthropicsShapeWithTheRequestId() {
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("nope").maxTokens(5)
        .addUserMessage("x").build())).isInstanceOf(NotFoundException.class);

    String other = gateway.createKey("{\"name\":\"limited\",\"models\":[\"gpt\"]}");
    AnthropicClient limited = AnthropicOkHttpClient.builder().apiKey(other).baseUrl(gateway.baseUrl())
        .maxRetries(0).build();
    try {
      assertThatThrownBy(() -> limited.messages().create(MessageCreateParams.builder().model("claude-sonnet")
          .maxTokens(5).addUserMessage("x").build())).isInstanceOf(PermissionDeniedException.class);
    } finally {
      limited.close();
    }

    HttpResponse<String> missing = gateway.post("/v1/messages", key,
        "{\"model\":\"claude-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", "an-1");
    assertThat(missing.statusCode()).isEqualTo(400);
    JsonNode body = TestGateway.json(missing.body());
    assertThat(body.get("type").asText()).isEqualTo("error");
    assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(body.at("/error/message").asText()).contains("max_tokens");
    assertThat(body.get("request_id").asText()).isEqualTo("an-1");
    assertThat(gateway.usage("an-1")).isEmpty();

    HttpResponse<String> noKey = gateway.post("/v1/messages", null, "{}");
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(TestGateway.json(noKey.body()).at("/error/type").asText()).isEqualTo("authentication_error");

    HttpResponse<String> notJson = gateway.post("/v1/messages", key, "{\"model\":", "x-request-id", "an-2");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(TestGateway.json(notJson.body()).get("type").asText()).isEqualTo("error");
  }

  @Test
  void tokensAreCountedLocallyWithoutCallingTheProvider() {
    int before = anthropic.received().size();

    long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model("claude-sonnet")
        .system("Be brief.").addUserMessage("How many tokens is this sentence?").build()).inputTokens();

    assertThat(tokens).isBetween(8L, 40L);
    assertThat(anthropic.received()).hasSize(before);
  }

  @Test
  void theMatchedStopSequenceReachesTheCallerThroughTheCanonicalModel() {
    anthropic.enqueue(json(200, """
        {"id":"msg_03","type":"message","role":"assistant","model":"claude-sonnet-4-0",
         "content":[{"type":"text","text":"one two"}],"stop_reason":"stop_sequence","stop_sequence":"THREE",
         "usage":{"input_tokens":5,"output_tokens":2}}"""));

    Message message = client.messages().create(MessageCreateParams.builder().model("claude-sonnet").maxTokens(20)
        .addUserMessage("count").stopSequences(List.of("THREE")).build());

    assertThat(message.stopReason()).contains(StopReason.STOP_SEQUENCE);
    assertThat(message.stopSequence()).contains("THREE");
    assertThat(anthropic.last().body().get("stop_sequences").get(0).asText()).isEqualTo("THREE");
  }

  @Test
  void anthropicBetaFlagsReachAnAnthropicProviderAndNoOther() {
    anthropic.enqueue(json(200, """
        {"id":"msg_04","type":"message","role":"assistant","model":"claude-sonnet-4-0",
         "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":3,"output_tokens":1}}"""));
    openai.enqueue(json(200, FakeUpstream.chatCompletion("ok", 3, 1)));

    client.messages().create(MessageCreateParams.builder().model("claude-sonnet").maxTokens(5).addUserMessage("x")
        .putAdditionalHeader("anthropic-beta", "interleaved-thinking-2025-05-14").build());
    client.messages().create(MessageCreateParams.builder().model("gpt").maxTokens(5).addUserMessage("x")
        .putAdditionalHeader("anthropic-beta", "interleaved-thinking-2025-05-14").build());

    assertThat(FakeUpstream.headersOf(anthropic.last())).containsEntry("anthropic-beta",
        "interleaved-thinking-2025-05-14");
    assertThat(FakeUpstream.headersOf(openai.last())).doesNotContainKey("anthropic-beta");
  }

  @Test
  void anAnthropicFieldAnOpenAiProviderCannotHonourIsRefusedByNameAndNothingIsSent() {
    int before = openai.received().size();
    HttpResponse<String> answer = gateway.post("/v1/messages", key, """
        {"model":"gpt","max_tokens":2048,"messages":[{"role":"user","content":"think"}],
         "thinking":{"type":"enabled","budget_tokens":1024},"service_tier":"auto"}""", "x-request-id", "an-think");

    assertThat(answer.statusCode()).isEqualTo(400);
    JsonNode body = TestGateway.json(answer.body());
    assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(body.at("/error/message").asText()).contains("'thinking' is an Anthropic field");
    assertThat(body.get("request_id").asText()).isEqualTo("an-think");
    assertThat(openai.received()).hasSize(before);
    assertThat(gateway.usage("an-think")).isEmpty();

    // The capacity tier only concerns Anthropic's platform: dropped, and the call goes through.
    openai.enqueue(json(200, FakeUpstream.chatCompletion("ok", 3, 1)));
    HttpResponse<String> tiered = gateway.post("/v1/messages", key, """
        {"model":"gpt","max_tokens":20,"messages":[{"role":"user","content":"hi"}],"service_tier":"auto"}""");
    assertThat(tiered.statusCode()).isEqualTo(200);
    assertThat(openai.last().body().has("service_tier")).isFalse();
  }
}
