package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.ImageBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.AwsEventStream;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every provider type through both inbound APIs, streaming and not, with a tool and an image: the
 * provider gets the tool, the image bytes and the text in its own format; the official SDK gets the
 * provider's tool call back in its own; the usage record has the provider's counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderMatrixTest {
  private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BAAAMBAQAY3Y2wAAAAAElFTkSuQmCC";
  private static final String QUESTION = "What is the weather where this picture was taken?";

  /** The provider types, each with its model name and canned answers in its own wire format. */
  enum Provider {
    OPENAI("gpt", "/tools/0/function/name"),
    ANTHROPIC("claude", "/tools/0/name"),
    GEMINI("gemini", "/tools/0/functionDeclarations/0/name"),
    BEDROCK("nova", "/toolConfig/tools/0/toolSpec/name"),
    VERTEX_GEMINI("vertex-gemini", "/tools/0/functionDeclarations/0/name"),
    VERTEX_CLAUDE("vertex-claude", "/tools/0/name");

    final String model;
    final String toolNamePointer;

    Provider(String model, String toolNamePointer) {
      this.model = model;
      this.toolNamePointer = toolNamePointer;
    }
  }

  private final Map<Provider, FakeUpstream> fakes = new EnumMap<>(Provider.class);
  private FakeUpstream tokens;
  private TestGateway gateway;
  private OpenAIClient openAi;
  private AnthropicClient anthropic;

  @BeforeAll
  void start() throws Exception {
    for (Provider p : Provider.values()) {
      fakes.put(p, FakeUpstream.start());
    }
    tokens = FakeUpstream.start();
    tokens.byDefault(json(200, "{\"access_token\":\"ya29.matrix\",\"expires_in\":3600,\"token_type\":\"Bearer\"}"));
    String serviceAccount = serviceAccountJson("http://127.0.0.1:" + tokens.port() + "/token").replace("'", "''");
    gateway = TestGateway.start("""
        providers:
          - { name: oai, type: openai, base_url: "%s", api_key: "sk-upstream-secret" }
          - { name: ant, type: anthropic, base_url: "%s", api_key: "sk-ant-secret" }
          - { name: goo, type: gemini, base_url: "%s", api_key: "gemini-secret" }
          - { name: aws, type: bedrock, base_url: "%s", region: us-east-1, aws_access_key_id: AKIDEXAMPLE,
              aws_secret_access_key: "aws-secret-key" }
          - { name: vg, type: vertex, base_url: "%s", location: us-central1, publisher: google,
              credentials_json: '%s' }
          - { name: vc, type: vertex, base_url: "%s", location: us-east5, publisher: anthropic,
              credentials_json: '%s' }
        models:
          - { name: gpt, max_attempts: 1, deployments: [ { provider: oai, model: gpt-4o-mini } ] }
          - { name: claude, max_attempts: 1, deployments: [ { provider: ant, model: claude-sonnet-4-0 } ] }
          - { name: gemini, max_attempts: 1, deployments: [ { provider: goo, model: gemini-2.0-flash } ] }
          - { name: nova, max_attempts: 1, deployments: [ { provider: aws, model: amazon.nova-pro-v1:0 } ] }
          - { name: vertex-gemini, max_attempts: 1, deployments: [ { provider: vg, model: gemini-2.0-flash } ] }
          - { name: vertex-claude, max_attempts: 1, deployments: [ { provider: vc, model: claude-sonnet-4@20250514 } ] }
        """.formatted(fakes.get(Provider.OPENAI).baseUrl(), root(Provider.ANTHROPIC), root(Provider.GEMINI),
        root(Provider.BEDROCK), root(Provider.VERTEX_GEMINI), serviceAccount, root(Provider.VERTEX_CLAUDE),
        serviceAccount), "");
    List.of("sk-ant-secret", "gemini-secret", "aws-secret-key", "ya29.matrix").forEach(gateway::secret);
    String key = gateway.createKey();
    openAi = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gateway.baseUrl() + "/v1").maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
    anthropic = AnthropicOkHttpClient.builder().apiKey(key).baseUrl(gateway.baseUrl()).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  private String root(Provider p) {
    return fakes.get(p).baseUrl().replace("/v1", "");
  }

  @AfterAll
  void stop() {
    openAi.close();
    anthropic.close();
    gateway.close();
    fakes.values().forEach(FakeUpstream::close);
    tokens.close();
  }

  private static String serviceAccountJson(String tokenUri) throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
        .encodeToString(generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("type", "service_account",
        "project_id", "matrix-project", "private_key_id", "kid", "private_key", pem,
        "client_email", "tg@matrix-project.iam.gserviceaccount.com", "token_uri", tokenUri));
  }

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (Provider p : Provider.values()) {
      for (String client : List.of("openai-sdk", "anthropic-sdk")) {
        for (boolean stream : List.of(false, true)) {
          out.add(Arguments.argumentSet(p + " via " + client + (stream ? ", streamed" : ""), p, client, stream));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("matrix")
  void aToolCallWithAnImageRoundTrips(Provider provider, String client, boolean stream) throws Exception {
    FakeUpstream fake = fakes.get(provider);
    fake.enqueue(stream ? streamed(provider) : whole(provider));
    String id = "mx-" + UUID.randomUUID();

    ToolCallSeen seen = client.equals("openai-sdk") ? viaOpenAi(provider.model, stream, id)
        : viaAnthropic(provider.model, stream, id);

    assertThat(seen.name()).isEqualTo("get_weather");
    assertThat(TestGateway.json(seen.argumentsJson())).isEqualTo(TestGateway.json("{\"city\":\"Paris\"}"));
    assertThat(seen.stoppedForTools()).isTrue();

    JsonNode sent = fake.last().body();
    assertThat(sent.at(provider.toolNamePointer).asText()).as(sent.toString()).isEqualTo("get_weather");
    assertThat(sent.toString()).contains(PNG).contains(QUESTION);
    if (provider == Provider.GEMINI) {
      assertThat(fake.last().uri()).endsWith(stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    }
    if (provider == Provider.BEDROCK) {
      assertThat(fake.last().uri()).endsWith(stream ? "/converse-stream" : "/converse");
    }
    if (provider == Provider.VERTEX_GEMINI) {
      assertThat(fake.last().uri()).isEqualTo("/v1/projects/matrix-project/locations/us-central1/publishers/google"
          + "/models/gemini-2.0-flash" + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
      assertThat(FakeUpstream.headersOf(fake.last())).containsEntry("authorization", "Bearer ya29.matrix");
    }
    if (provider == Provider.VERTEX_CLAUDE) {
      assertThat(fake.last().uri()).isEqualTo("/v1/projects/matrix-project/locations/us-east5/publishers/anthropic"
          + "/models/claude-sonnet-4@20250514" + (stream ? ":streamRawPredict" : ":rawPredict"));
      assertThat(sent.get("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
      assertThat(sent.has("model")).isFalse();
    }
    assertThat(gateway.usage(id)).singleElement().satisfies(u -> {
      assertThat(u.status()).isEqualTo("ok");
      assertThat(u.inputTokens()).isEqualTo(30);
      assertThat(u.outputTokens()).isEqualTo(10);
      assertThat(u.estimated()).isFalse();
      assertThat(u.streamed()).isEqualTo(stream);
    });
  }

  /** What the SDK made of the answer. */
  record ToolCallSeen(String name, String argumentsJson, boolean stoppedForTools) {}

  private ToolCallSeen viaOpenAi(String model, boolean stream, String id) {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(QUESTION).build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64," + PNG).build())
                .build())))
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
            .name("get_weather").description("Weather for a city")
            .parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .build())
            .build()).build())
        .putAdditionalHeader("x-request-id", id)
        .build();
    if (!stream) {
      ChatCompletion answer = openAi.chat().completions().create(params);
      ChatCompletionMessageFunctionToolCall call = answer.choices().getFirst().message().toolCalls().orElseThrow()
          .getFirst().asFunction();
      return new ToolCallSeen(call.function().name(), call.function().arguments(),
          answer.choices().getFirst().finishReason().equals(ChatCompletion.Choice.FinishReason.TOOL_CALLS));
    }
    StringBuilder name = new StringBuilder();
    StringBuilder args = new StringBuilder();
    boolean toolsFinish = false;
    try (var response = openAi.chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : response.stream().toList()) {
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          choice.delta().toolCalls().ifPresent(calls -> calls.forEach(c -> c.function().ifPresent(f -> {
            f.name().ifPresent(name::append);
            f.arguments().ifPresent(args::append);
          })));
          toolsFinish |= choice.finishReason().map(r -> r.equals(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS))
              .orElse(false);
        }
      }
    }
    return new ToolCallSeen(name.toString(), args.toString(), toolsFinish);
  }

  private ToolCallSeen viaAnthropic(String model, boolean stream, String id) {
    MessageCreateParams params = MessageCreateParams.builder()
        .model(model).maxTokens(256)
        .addUserMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofText(TextBlockParam.builder().text(QUESTION).build()),
            ContentBlockParam.ofImage(ImageBlockParam.builder().source(Base64ImageSource.builder().data(PNG)
                .mediaType(Base64ImageSource.MediaType.IMAGE_PNG).build()).build())))
        .addTool(Tool.builder().name("get_weather").description("Weather for a city")
            .inputSchema(Tool.InputSchema.builder()
                .properties(com.anthropic.core.JsonValue.from(Map.of("city", Map.of("type", "string")))).build())
            .build())
        .putAdditionalHeader("x-request-id", id)
        .build();
    Message message;
    if (stream) {
      MessageAccumulator accumulator = MessageAccumulator.create();
      try (StreamResponse<RawMessageStreamEvent> events = anthropic.messages().createStreaming(params)) {
        events.stream().forEach(accumulator::accumulate);
      }
      message = accumulator.message();
    } else {
      message = anthropic.messages().create(params);
    }
    message.validate();
    ToolUseBlock use = message.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
    return new ToolCallSeen(use.name(), new com.fasterxml.jackson.databind.ObjectMapper()
        .valueToTree(use._input().convert(Map.class)).toString(),
        message.stopReason().orElseThrow().equals(StopReason.TOOL_USE));
  }

  // ---------------------------------------------------------------- the providers' answers

  private static FakeUpstream.Behavior whole(Provider p) {
    return switch (p) {
      case VERTEX_GEMINI -> whole(Provider.GEMINI);
      case VERTEX_CLAUDE -> whole(Provider.ANTHROPIC);
      case OPENAI -> json(200, """
          {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,
           "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
           "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}],
           "usage":{"prompt_tokens":30,"completion_tokens":10,"total_tokens":40}}""");
      case ANTHROPIC -> json(200, """
          {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-0",
           "content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
           "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":10}}""");
      case GEMINI -> json(200, GEMINI_ANSWER);
      case BEDROCK -> json(200, """
          {"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"tu_1","name":"get_weather",
           "input":{"city":"Paris"}}}]}},"stopReason":"tool_use",
           "usage":{"inputTokens":30,"outputTokens":10,"totalTokens":40}}""");
    };
  }

  private static final String GEMINI_ANSWER = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":"
      + "{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":"
      + "{\"promptTokenCount\":30,\"candidatesTokenCount\":10,\"totalTokenCount\":40},\"modelVersion\":\"gemini-2.0-flash\","
      + "\"responseId\":\"r1\"}";

  private static FakeUpstream.Behavior streamed(Provider p) {
    String chunk = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",";
    return switch (p) {
      case VERTEX_GEMINI -> streamed(Provider.GEMINI);
      case VERTEX_CLAUDE -> streamed(Provider.ANTHROPIC);
      case OPENAI -> FakeUpstream.sse(Duration.ofMillis(2), List.of(
          "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
              + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},"
              + "\"finish_reason\":null}]}\n\n",
          "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
              + "{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}\n\n",
          "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
              + "{\"arguments\":\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
          "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
          "data: " + chunk + "\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":10,"
              + "\"total_tokens\":40}}\n\n",
          FakeUpstream.DONE));
      case ANTHROPIC -> FakeUpstream.sse(Duration.ofMillis(2), List.of(
          "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
              + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-0\",\"content\":[],\"stop_reason\":null,"
              + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":30,\"output_tokens\":1}}}\n\n",
          "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
              + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
          "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
              + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}}\n\n",
          "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
              + "{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}}\n\n",
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
          "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
              + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":10}}\n\n",
          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
      case GEMINI -> FakeUpstream.sse(Duration.ofMillis(2), List.of("data: " + GEMINI_ANSWER + "\n\n"));
      case BEDROCK -> FakeUpstream.bytes(200, "application/vnd.amazon.eventstream", new AwsEventStream()
          .event("messageStart", "{\"role\":\"assistant\"}")
          .event("contentBlockStart", "{\"start\":{\"toolUse\":{\"toolUseId\":\"tu_1\",\"name\":\"get_weather\"}},"
              + "\"contentBlockIndex\":0}")
          .event("contentBlockDelta", "{\"delta\":{\"toolUse\":{\"input\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
              + "\"contentBlockIndex\":0}")
          .event("contentBlockStop", "{\"contentBlockIndex\":0}")
          .event("messageStop", "{\"stopReason\":\"tool_use\"}")
          .event("metadata", "{\"usage\":{\"inputTokens\":30,\"outputTokens\":10,\"totalTokens\":40},"
              + "\"metrics\":{\"latencyMs\":100}}")
          .bytes());
    };
  }
}
