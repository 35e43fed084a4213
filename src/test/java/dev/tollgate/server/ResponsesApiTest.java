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
}
