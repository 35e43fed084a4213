package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official SDK's Responses API against {@code /v1/responses}, served by a chat-completions upstream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesApiTest {
  private FakeUpstream upstream;
  private TestGateway gateway;
  private OpenAIClient client;

  @BeforeAll
  void start() {
    upstream = FakeUpstream.start();
    gateway = TestGateway.withUpstream(upstream);
    client = OpenAIOkHttpClient.builder().apiKey(gateway.createKey()).baseUrl(gateway.baseUrl() + "/v1")
        .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gateway.close();
    upstream.close();
  }

  @Test
  void aResponseIsServedFromChatCompletions() {
    upstream.enqueue(json(200, FakeUpstream.chatCompletion("Hello from chat", 12, 4)));
    String id = "rs-" + UUID.randomUUID();

    Response response = client.responses().create(ResponseCreateParams.builder().model("m")
        .instructions("Be brief.").input("Hi there").maxOutputTokens(50L).putAdditionalHeader("x-request-id", id)
        .build());

    response.validate();
    assertThat(response.output().getFirst().asMessage().content().getFirst().asOutputText().text())
        .isEqualTo("Hello from chat");
    assertThat(response.usage().orElseThrow().inputTokens()).isEqualTo(12);
    JsonNode sent = upstream.last().body();
    assertThat(upstream.last().uri()).isEqualTo("/v1/chat/completions");
    assertThat(sent.get("model").asText()).isEqualTo("upstream-model");
    assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Be brief.");
    assertThat(sent.at("/messages/1/content").asText()).isEqualTo("Hi there");
    assertThat(gateway.usage(id)).singleElement().satisfies(u -> {
      assertThat(u.endpoint()).isEqualTo("responses");
      assertThat(u.outputTokens()).isEqualTo(4);
    });
  }

  @Test
  void aStreamedResponseAccumulatesInTheSdk() {
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(2), FakeUpstream.stream(List.of("One", " two"), 8, 2)));

    ResponseAccumulator accumulator = ResponseAccumulator.create();
    try (StreamResponse<ResponseStreamEvent> events = client.responses().createStreaming(
        ResponseCreateParams.builder().model("m").input("Count").build())) {
      events.stream().forEach(e -> {
        e.validate();
        accumulator.accumulate(e);
      });
    }
    Response response = accumulator.response();

    assertThat(response.output().getFirst().asMessage().content().getFirst().asOutputText().text())
        .isEqualTo("One two");
    assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(2);
  }

  @Test
  void statefulFeaturesAreRefusedByName() {
    HttpResponse<String> r = gateway.post("/v1/responses", TestGateway.MASTER_KEY,
        "{\"model\":\"m\",\"input\":\"hi\",\"previous_response_id\":\"resp_123\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestGateway.json(r.body()).at("/error/param").asText()).isEqualTo("previous_response_id");
  }

  private static final String NATIVE_ANSWER = """
      {"id":"resp_native1","object":"response","created_at":1,"status":"completed","model":"gpt-4.1",
       "output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant",
                  "content":[{"type":"output_text","text":"Native hello","annotations":[]}]}],
       "usage":{"input_tokens":21,"input_tokens_details":{"cached_tokens":4},"output_tokens":6,
                "output_tokens_details":{"reasoning_tokens":0},"total_tokens":27}}""";

  @Test
  void aProviderThatServesTheResponsesApiGetsTheCallersBytes() {
    try (FakeUpstream openai = FakeUpstream.start()) {
      openai.enqueue(json(200, NATIVE_ANSWER));
      openai.enqueue(FakeUpstream.sse(Duration.ofMillis(2), List.of(
          "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
              + "{\"id\":\"resp_2\",\"object\":\"response\",\"status\":\"in_progress\",\"usage\":null}}\n\n",
          "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,"
              + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Streamed\"}\n\n",
          "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":"
              + "{\"id\":\"resp_2\",\"object\":\"response\",\"status\":\"completed\",\"usage\":{\"input_tokens\":9,"
              + "\"output_tokens\":2,\"total_tokens\":11}}}\n\n")));
      try (TestGateway native_ = TestGateway.start("""
          providers:
            - { name: oai, type: openai, base_url: "%s", api_key: "sk-upstream-secret", native_responses: true }
          models:
            - { name: gpt, deployments: [ { provider: oai, model: gpt-4.1 } ] }
          """.formatted(openai.baseUrl()), "")) {
        String id = "rs-" + UUID.randomUUID();
        HttpResponse<String> r = native_.post("/v1/responses", TestGateway.MASTER_KEY,
            "{\"model\":\"gpt\",\"input\":\"Hi\",\"temperature\":0.3,\"text\":{\"verbosity\":\"low\"}}",
            "x-request-id", id);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(TestGateway.json(r.body())).isEqualTo(TestGateway.json(NATIVE_ANSWER));
        assertThat(openai.last().uri()).isEqualTo("/v1/responses");
        JsonNode sent = openai.last().body();
        assertThat(sent.get("model").asText()).isEqualTo("gpt-4.1");
        assertThat(sent.get("store").asBoolean()).as("the gateway keeps nothing, so nor may the provider").isFalse();
        assertThat(sent.at("/text/verbosity").asText()).as("fields pass through untouched").isEqualTo("low");
        assertThat(native_.usage(id)).singleElement().satisfies(u -> {
          assertThat(u.inputTokens()).isEqualTo(21);
          assertThat(u.cachedTokens()).isEqualTo(4);
          assertThat(u.outputTokens()).isEqualTo(6);
        });

        String streamId = "rs-" + UUID.randomUUID();
        HttpResponse<String> streamed = native_.post("/v1/responses", TestGateway.MASTER_KEY,
            "{\"model\":\"gpt\",\"input\":\"Hi\",\"stream\":true}", "x-request-id", streamId);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("\"delta\":\"Streamed\"").contains("event: response.completed")
            .doesNotContain("[DONE]");
        assertThat(native_.usage(streamId)).singleElement().satisfies(u -> {
          assertThat(u.status()).isEqualTo("ok");
          assertThat(u.inputTokens()).isEqualTo(9);
          assertThat(u.outputTokens()).isEqualTo(2);
        });
      }
    }
  }
}
