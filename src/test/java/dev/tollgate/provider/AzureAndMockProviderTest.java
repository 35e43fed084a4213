package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Azure OpenAI's URL and header conventions, and the built-in mock provider's deterministic answers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AzureAndMockProviderTest {
  private FakeUpstream azure;
  private TestGateway gateway;
  private String key;

  @BeforeAll
  void start() {
    azure = FakeUpstream.start();
    gateway = TestGateway.start("""
        providers:
          - name: az
            type: azure
            base_url: "http://127.0.0.1:%d"
            api_key: "azure-secret-key"
            api_version: "2024-10-21"
          - name: demo
            type: mock
            mock: { chunk_tokens: 2, chunk_latency: 1ms }
        models:
          - name: azure-gpt
            deployments: [ { provider: az, model: my-gpt4o-deployment } ]
          - name: gpt-4o-mini
            deployments: [ { provider: demo } ]
          - name: embed
            deployments: [ { provider: demo, model: text-embedding-3-small } ]
        """.formatted(azure.port()), "");
    key = gateway.createKey();
  }

  @AfterAll
  void stop() {
    gateway.close();
    azure.close();
  }

  @Test
  void azureGetsDeploymentUrlApiVersionAndApiKeyHeader() {
    azure.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("from azure", 4, 2)));

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key,
        "{\"model\":\"azure-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(200);
    FakeUpstream.Received sent = azure.last();
    assertThat(sent.uri()).isEqualTo("/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-10-21");
    Map<String, String> headers = FakeUpstream.headersOf(sent);
    assertThat(headers.get("api-key")).isEqualTo("azure-secret-key");
    assertThat(headers).doesNotContainKey("authorization");
  }

  private static String chat(String model, boolean stream, String content) {
    return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  }

  @Test
  void mockAnswersDeterministicallyWithRealTokenCounts() {
    String rid = "mock-" + UUID.randomUUID();
    HttpResponse<String> first = gateway.post("/v1/chat/completions", key, chat("gpt-4o-mini", false, "Hello!"),
        "x-request-id", rid);
    HttpResponse<String> second = gateway.post("/v1/chat/completions", key, chat("gpt-4o-mini", false, "Hello!"));

    JsonNode a = TestGateway.json(first.body());
    JsonNode b = TestGateway.json(second.body());
    String content = a.get("choices").get(0).get("message").get("content").asText();
    assertThat(content).isEqualTo("Hello from Tollgate's mock provider. You said: Hello!");
    assertThat(b.get("choices")).isEqualTo(a.get("choices"));
    assertThat(a.get("usage").get("completion_tokens").asInt()).isEqualTo(13);
    assertThat(a.get("usage").get("prompt_tokens").asInt()).isEqualTo(3 + 3 + 2); // reply + message + "Hello!"
    UsageEvent usage = gateway.usage(rid).getFirst();
    assertThat(usage.outputTokens()).isEqualTo(13);
    assertThat(usage.costMicros()).isEqualTo(9); // gpt-4o-mini list price: 8 x 0.15 + 13 x 0.60 = 9.0 micro-dollars
  }

  @Test
  void mockStreamsInChunksAndReportsUsage() {
    String rid = "mock-stream-" + UUID.randomUUID();
    HttpResponse<String> r = gateway.post("/v1/chat/completions", key, chat("gpt-4o-mini", true, "Hello!"),
        "x-request-id", rid);

    List<String> data = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    assertThat(data.getLast()).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    data.stream().filter(d -> !d.equals("[DONE]")).map(TestGateway::json)
        .forEach(c -> text.append(c.get("choices").get(0).get("delta").path("content").asText("")));
    assertThat(text.toString()).isEqualTo("Hello from Tollgate's mock provider. You said: Hello!");
    assertThat(data.size()).isGreaterThan(6); // 13 tokens in chunks of 2, plus role, finish and [DONE]
    assertThat(gateway.usage(rid).getFirst().outputTokens()).isEqualTo(13);
  }

  @Test
  void mockJsonModeAndEmbeddings() {
    HttpResponse<String> json = gateway.post("/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
        + "\"response_format\":{\"type\":\"json_object\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    JsonNode answer = TestGateway.json(TestGateway.json(json.body()).get("choices").get(0).get("message")
        .get("content").asText());
    assertThat(answer.get("mock").asBoolean()).isTrue();

    HttpResponse<String> e1 = gateway.post("/v1/embeddings", key, "{\"model\":\"embed\",\"input\":[\"a\",\"b\"]}");
    HttpResponse<String> e2 = gateway.post("/v1/embeddings", key, "{\"model\":\"embed\",\"input\":[\"a\",\"b\"]}");
    JsonNode data = TestGateway.json(e1.body()).get("data");
    assertThat(data).hasSize(2);
    assertThat(data.get(0).get("embedding")).hasSize(8);
    assertThat(data.get(0).get("embedding")).isNotEqualTo(data.get(1).get("embedding"));
    assertThat(TestGateway.json(e2.body()).get("data")).isEqualTo(data);
  }
}
