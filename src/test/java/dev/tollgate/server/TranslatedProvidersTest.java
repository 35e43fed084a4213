package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpenAI callers (the official SDK) reaching providers with their own wire formats through the
 * canonical model: what the fake provider received, field by field, and what the SDK got back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranslatedProvidersTest {
  private FakeUpstream anthropic;
  private FakeUpstream gemini;
  private FakeUpstream bedrock;
  private FakeUpstream openai;
  private TestGateway gateway;
  private OpenAIClient client;
  private String key;

  @BeforeAll
  void start() {
    anthropic = FakeUpstream.start();
    gemini = FakeUpstream.start();
    bedrock = FakeUpstream.start();
    openai = FakeUpstream.start();
    gateway = TestGateway.start("""
        providers:
          - { name: claude, type: anthropic, base_url: "%s", api_key: "sk-ant-secret" }
          - { name: google, type: gemini, base_url: "%s", api_key: "gemini-secret" }
          - { name: aws, type: bedrock, base_url: "%s", region: us-east-1, aws_access_key_id: AKIDEXAMPLE,
              aws_secret_access_key: "aws-secret-key" }
          - { name: oai, type: openai, base_url: "%s", api_key: "sk-upstream-secret" }
        models:
          - name: claude
            max_attempts: 1
            deployments: [ { provider: claude, model: claude-sonnet-4-0 } ]
          - name: flash
            deployments: [ { provider: google, model: gemini-2.0-flash } ]
          - name: careful
            deployments: [ { provider: google, model: gemini-2.0-flash } ]
            fallbacks: { content_filtered: [ claude ] }
          - name: nova
            deployments: [ { provider: aws, model: amazon.nova-lite-v1:0 } ]
          - name: mixed
            deployments:
              - { provider: claude, model: claude-sonnet-4-0, weight: 1000000 }
              - { provider: oai, model: gpt-4o-mini, weight: 1 }
        """.formatted(anthropic.baseUrl().replace("/v1", ""), gemini.baseUrl().replace("/v1", ""),
        bedrock.baseUrl().replace("/v1", ""), openai.baseUrl()), "");
    key = gateway.createKey();
    client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gateway.baseUrl() + "/v1").maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gateway.close();
    anthropic.close();
    gemini.close();
    bedrock.close();
    openai.close();
  }

  @BeforeEach
  void secrets() {
    List.of("sk-ant-secret", "gemini-secret", "aws-secret-key").forEach(gateway::secret);
  }

  private static final String CLAUDE_ANSWER = """
      {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-0",
       "content":[{"type":"text","text":"Bonjour!"}],"stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":20,"output_tokens":4,"cache_read_input_tokens":5,"cache_creation_input_tokens":0}}""";

  @Test
  void anOpenAiCallerGetsAnOpenAiAnswerFromAnthropic() {
    anthropic.enqueue(json(200, CLAUDE_ANSWER));
    String id = "tr-" + UUID.randomUUID();

    ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("claude").addSystemMessage("Answer in French.").addUserMessage("Hello").maxCompletionTokens(100)
        .putAdditionalHeader("x-request-id", id).build());

    assertThat(answer.choices().getFirst().message().content()).contains("Bonjour!");
    assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(answer.usage().orElseThrow().promptTokens()).isEqualTo(25);
    assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(4);

    FakeUpstream.Received sent = anthropic.last();
    assertThat(sent.uri()).isEqualTo("/v1/messages");
    Map<String, String> headers = FakeUpstream.headersOf(sent);
    assertThat(headers).containsEntry("x-api-key", "sk-ant-secret").containsEntry("anthropic-version", "2023-06-01")
        .doesNotContainKey("authorization");
    JsonNode body = sent.body();
    assertThat(body.get("model").asText()).isEqualTo("claude-sonnet-4-0");
    assertThat(body.get("max_tokens").asInt()).isEqualTo(100);
    assertThat(body.get("system").toString()).contains("Answer in French.");
    assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(body.at("/messages/0/content").toString()).contains("Hello");

    List<UsageEvent> usage = gateway.usage(id);
    assertThat(usage).singleElement().satisfies(u -> {
      assertThat(u.provider()).isEqualTo("claude");
      assertThat(u.inputTokens()).isEqualTo(25);
      assertThat(u.cachedTokens()).isEqualTo(5);
      assertThat(u.outputTokens()).isEqualTo(4);
      assertThat(u.estimated()).isFalse();
    });
  }

  @Test
  void anAnthropicStreamReachesTheSdkAsOpenAiChunksWithUsage() {
    anthropic.enqueue(FakeUpstream.sse(Duration.ofMillis(5), List.of(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_02\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-0\",\"content\":[],\"stop_reason\":null,"
            + "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: ping\ndata: {\"type\":\"ping\"}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\" there\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")));
    String id = "tr-" + UUID.randomUUID();

    String text;
    long completionTokens;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("claude").addUserMessage("Hi")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .putAdditionalHeader("x-request-id", id).build())) {
      List<ChatCompletionChunk> chunks = stream.stream().toList();
      text = chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
          .collect(Collectors.joining());
      completionTokens = chunks.getLast().usage().orElseThrow().completionTokens();
    }

    assertThat(text).isEqualTo("Hello there");
    assertThat(completionTokens).isEqualTo(7);
    assertThat(anthropic.last().body().get("stream").asBoolean()).isTrue();
    assertThat(gateway.usage(id)).singleElement().satisfies(u -> {
      assertThat(u.streamed()).isTrue();
      assertThat(u.inputTokens()).isEqualTo(12);
      assertThat(u.outputTokens()).isEqualTo(7);
      assertThat(u.status()).isEqualTo("ok");
    });
  }

  @Test
  void whatTheProviderCannotExpressIsA400NamingTheFieldAndNothingIsSent() {
    int before = anthropic.received().size();
    String id = "tr-" + UUID.randomUUID();

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"claude\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", id);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = TestGateway.json(r.body()).get("error");
    assertThat(error.get("param").asText()).isEqualTo("n");
    assertThat(r.headers().firstValue("x-request-id")).contains(id);
    assertThat(anthropic.received()).hasSize(before);
    assertThat(gateway.usage(id)).isEmpty();
  }

  @Test
  void anOverloadedAnthropicFailsOverToAnOpenAiCompatibleDeployment() {
    anthropic.enqueue(json(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
    openai.enqueue(json(200, FakeUpstream.chatCompletion("from openai", 9, 3)));
    String id = "tr-" + UUID.randomUUID();

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", id);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestGateway.json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("from openai");
    assertThat(r.headers().firstValue("x-tollgate-route")).contains("retry:server_error");
    assertThat(gateway.usage(id)).extracting(UsageEvent::provider, UsageEvent::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("claude", "upstream_error"),
            org.assertj.core.groups.Tuple.tuple("oai", "ok"));
  }

  @Test
  void anAnthropicErrorIsMappedToAnOpenAiError() {
    anthropic.enqueue(json(400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
        + "\"message\":\"temperature: must be at most 1\"}}"));

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"claude\",\"temperature\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestGateway.json(r.body()).at("/error/message").asText()).contains("temperature: must be at most 1");
  }

  @Test
  void geminiIsCalledWithItsOwnPathKeyAndBody() {
    gemini.enqueue(json(200, """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi from Gemini"}]},"finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":4,"totalTokenCount":10},
         "modelVersion":"gemini-2.0-flash","responseId":"resp-1"}"""));

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestGateway.json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("Hi from Gemini");
    FakeUpstream.Received sent = gemini.last();
    assertThat(sent.uri()).isEqualTo("/v1beta/models/gemini-2.0-flash:generateContent");
    assertThat(FakeUpstream.headersOf(sent)).containsEntry("x-goog-api-key", "gemini-secret");
    assertThat(sent.body().at("/contents/0/parts/0/text").asText()).isEqualTo("hi");
  }

  @Test
  void bedrockIsCalledWithASigV4SignedConverseRequest() {
    bedrock.enqueue(json(200, """
        {"output":{"message":{"role":"assistant","content":[{"text":"Hi from Nova"}]}},"stopReason":"end_turn",
         "usage":{"inputTokens":8,"outputTokens":3,"totalTokens":11},"metrics":{"latencyMs":120}}"""));

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"nova\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestGateway.json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("Hi from Nova");
    FakeUpstream.Received sent = bedrock.last();
    assertThat(sent.uri()).isEqualTo("/model/amazon.nova-lite-v1%3A0/converse");
    Map<String, String> headers = FakeUpstream.headersOf(sent);
    assertThat(headers.get("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        .contains("/us-east-1/bedrock/aws4_request");
    assertThat(headers).containsKey("x-amz-date");
    assertThat(sent.body().at("/messages/0/content/0/text").asText()).isEqualTo("hi");
  }

  @Test
  void aGeminiSafetyBlockIsAContentFilterErrorThatFallsBackByClass() {
    gemini.enqueue(json(200, """
        {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},
         "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}"""));
    anthropic.enqueue(json(200, CLAUDE_ANSWER));
    String id = "tr-" + UUID.randomUUID();

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"careful\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", id);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-route")).contains("fallback:content_filtered:careful");
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("claude");
    assertThat(gateway.usage(id)).extracting(UsageEvent::provider).containsExactly("google", "claude");
  }

  @Test
  void promptCacheWritesAndReadsAreBilledAtTheirOwnPrices() {
    anthropic.enqueue(json(200, """
        {"id":"msg_c","type":"message","role":"assistant","model":"claude-sonnet-4-0",
         "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":100,"output_tokens":50,"cache_read_input_tokens":2000,
                  "cache_creation_input_tokens":1000}}"""));
    String id = "cache-" + UUID.randomUUID();
    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", id);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    UsageEvent u = gateway.usage(id).getFirst();
    assertThat(u.inputTokens()).isEqualTo(3100);
    assertThat(u.cachedTokens()).isEqualTo(2000);
    // claude-sonnet-4-0 list prices: 100 x $3 + 2,000 x $0.30 + 1,000 written x $3.75 + 50 x $15, per million.
    assertThat(u.costMicros()).isEqualTo(5_400);
  }

  @Test
  void strictToolsReachAnthropicAndGeminiAndAreRefusedByBedrockWhichCannotHonourThem() {
    anthropic.enqueue(json(200, CLAUDE_ANSWER));
    String strictTool = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":true,"
        + "\"parameters\":{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}}}]";

    HttpResponse<String> claude = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + strictTool + "}");
    assertThat(claude.statusCode()).as(claude.body()).isEqualTo(200);
    assertThat(anthropic.last().body().at("/tools/0/strict").asBoolean()).isTrue();

    gemini.enqueue(json(200, """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":1,"totalTokenCount":7}}"""));
    HttpResponse<String> flash = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + strictTool + "}");
    assertThat(flash.statusCode()).as(flash.body()).isEqualTo(200);
    assertThat(gemini.last().body().at("/toolConfig/functionCallingConfig/mode").asText()).isEqualTo("VALIDATED");

    int before = bedrock.received().size();
    HttpResponse<String> nova = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"nova\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + strictTool + "}");
    assertThat(nova.statusCode()).isEqualTo(400);
    assertThat(TestGateway.json(nova.body()).at("/error/param").asText()).isEqualTo("tools[0].strict");
    assertThat(bedrock.received()).hasSize(before);
  }
}
