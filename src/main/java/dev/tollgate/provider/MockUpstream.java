package dev.tollgate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.api.IntArrayList;
import dev.tollgate.config.MockSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.provider.UpstreamException.Kind;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in offline provider: deterministic answers in the OpenAI wire format with real token
 * counts (JTokkit), streamed in chunks of {@code chunk_tokens} with configurable latency. The same
 * request always gets the same answer, so it is useful for development, demos and tests.
 */
public final class MockUpstream implements Upstream {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ECHO_LIMIT = 200;

  private final Vertx vertx;
  private final ProviderConfig config;
  private final MockSettings settings;
  private final TokenCounter tokens;
  private final Clock clock;

  public MockUpstream(Vertx vertx, ProviderConfig config, TokenCounter tokens, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.settings = config.mock();
    this.tokens = tokens;
    this.clock = clock;
  }

  @Override
  public String providerName() {
    return config.name();
  }

  @Override
  public UpstreamCall open(UpstreamRequest request) {
    JsonNode body;
    try {
      body = JSON.readTree(request.body().getBytes());
    } catch (IOException e) {
      return failed(new UpstreamException(Kind.PROTOCOL, config.name(), "mock could not read the request", e));
    }
    String model = request.upstreamModel();
    String id = "mock-" + request.requestId();
    long created = clock.instant().getEpochSecond();
    List<Buffer> chunks;
    boolean sse = request.stream() && request.endpoint() != Endpoint.EMBEDDINGS;
    if (request.endpoint() == Endpoint.EMBEDDINGS) {
      chunks = List.of(Buffer.buffer(embeddings(body, model).toString()));
    } else if (sse) {
      chunks = stream(request.endpoint(), body, model, id, created);
    } else {
      chunks = List.of(Buffer.buffer(completion(request.endpoint(), body, model, id, created).toString()));
    }
    ScheduledBody scheduled = new ScheduledBody(vertx, chunks, settings.firstTokenLatency(),
        sse ? settings.chunkLatency() : Duration.ZERO);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set(HttpHeaders.CONTENT_TYPE, sse ? "text/event-stream" : "application/json")
        .set("x-request-id", request.requestId());
    Future<UpstreamResponse> response = Future.succeededFuture(new UpstreamResponse(200, headers, scheduled));
    return new UpstreamCall() {
      @Override
      public Future<UpstreamResponse> response() {
        return response;
      }

      @Override
      public void abort() {
        scheduled.cancel();
      }

      @Override
      public boolean reached() {
        return true;
      }
    };
  }

  private static UpstreamCall failed(UpstreamException e) {
    return new UpstreamCall() {
      @Override
      public Future<UpstreamResponse> response() {
        return Future.failedFuture(e);
      }

      @Override
      public void abort() {}

      @Override
      public boolean reached() {
        return false;
      }
    };
  }

  /** The deterministic answer text for a request. */
  String answer(JsonNode body) {
    String said = lastUserText(body);
    String echo = said.length() > ECHO_LIMIT ? said.substring(0, ECHO_LIMIT) + "..." : said;
    JsonNode format = body.path("response_format").path("type");
    if (format.isTextual() && (format.asText().equals("json_object") || format.asText().equals("json_schema"))) {
      ObjectNode o = JSON.createObjectNode().put("mock", true).put("echo", echo);
      return o.toString();
    }
    return echo.isEmpty()
        ? "Hello from Tollgate's mock provider."
        : "Hello from Tollgate's mock provider. You said: " + echo;
  }

  private static String lastUserText(JsonNode body) {
    JsonNode messages = body.get("messages");
    if (messages != null && messages.isArray()) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        JsonNode m = messages.get(i);
        if ("user".equals(m.path("role").asText())) {
          return text(m.get("content"));
        }
      }
      return "";
    }
    return text(body.get("prompt"));
  }

  private static String text(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) {
        if (part.isTextual()) {
          sb.append(part.asText());
        } else if (part.path("text").isTextual()) {
          sb.append(part.path("text").asText());
        }
      }
      return sb.toString();
    }
    return content.toString();
  }

  private int choices(JsonNode body) {
    int n = body.path("n").asInt(1);
    return Math.max(1, Math.min(n, 16));
  }

  private ObjectNode completion(Endpoint endpoint, JsonNode body, String model, String id, long created) {
    String text = answer(body);
    int n = choices(body);
    long prompt = tokens.countPrompt(model, body);
    long completion = (long) tokens.count(model, text) * n;
    boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
    ObjectNode root = JSON.createObjectNode()
        .put("id", (chat ? "chatcmpl-" : "cmpl-") + id)
        .put("object", chat ? "chat.completion" : "text_completion")
        .put("created", created)
        .put("model", model);
    ArrayNode choices = root.putArray("choices");
    for (int i = 0; i < n; i++) {
      ObjectNode c = choices.addObject().put("index", i);
      if (chat) {
        c.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
        c.putNull("logprobs");
      } else {
        c.put("text", text).putNull("logprobs");
      }
      c.put("finish_reason", "stop");
    }
    usage(root.putObject("usage"), prompt, completion);
    return root;
  }

  private static void usage(ObjectNode usage, long prompt, long completion) {
    usage.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
    usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
  }

  private List<Buffer> stream(Endpoint endpoint, JsonNode body, String model, String id, long created) {
    boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
    String text = answer(body);
    int n = choices(body);
    List<String> pieces = pieces(model, text);
    List<Buffer> out = new ArrayList<>();
    for (int i = 0; i < n && chat; i++) {
      ObjectNode first = chunkHead(chat, id, created, model);
      ObjectNode choice = first.putArray("choices").addObject().put("index", i);
      choice.putObject("delta").put("role", "assistant").put("content", "");
      choice.putNull("finish_reason");
      out.add(event(first));
    }
    for (String piece : pieces) {
      for (int i = 0; i < n; i++) {
        ObjectNode c = chunkHead(chat, id, created, model);
        ObjectNode choice = c.putArray("choices").addObject().put("index", i);
        if (chat) {
          choice.putObject("delta").put("content", piece);
        } else {
          choice.put("text", piece);
        }
        choice.putNull("finish_reason");
        out.add(event(c));
      }
    }
    for (int i = 0; i < n; i++) {
      ObjectNode last = chunkHead(chat, id, created, model);
      ObjectNode choice = last.putArray("choices").addObject().put("index", i);
      if (chat) {
        choice.putObject("delta");
      } else {
        choice.put("text", "");
      }
      choice.put("finish_reason", "stop");
      out.add(event(last));
    }
    if (body.path("stream_options").path("include_usage").asBoolean(false)) {
      ObjectNode u = chunkHead(chat, id, created, model);
      u.putArray("choices");
      usage(u.putObject("usage"), tokens.countPrompt(model, body), (long) tokens.count(model, text) * n);
      out.add(event(u));
    }
    out.add(Buffer.buffer("data: [DONE]\n\n"));
    return out;
  }

  private static ObjectNode chunkHead(boolean chat, String id, long created, String model) {
    return JSON.createObjectNode()
        .put("id", (chat ? "chatcmpl-" : "cmpl-") + id)
        .put("object", chat ? "chat.completion.chunk" : "text_completion")
        .put("created", created)
        .put("model", model);
  }

  private static Buffer event(ObjectNode data) {
    return Buffer.buffer("data: " + data + "\n\n");
  }

  /** Splits text into pieces of about {@code chunk_tokens} tokens, never inside a UTF-8 character. */
  private List<String> pieces(String model, String text) {
    IntArrayList all = tokens.encode(model, text);
    List<String> out = new ArrayList<>();
    IntArrayList group = new IntArrayList();
    for (int i = 0; i < all.size(); i++) {
      group.add(all.get(i));
      if (group.size() >= settings.chunkTokens() || i == all.size() - 1) {
        String decoded = strictUtf8(tokens.encodingFor(model).decodeBytes(group));
        if (decoded != null || i == all.size() - 1) {
          out.add(decoded != null ? decoded : tokens.decode(model, group));
          group = new IntArrayList();
        }
      }
    }
    return out;
  }

  private static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private ObjectNode embeddings(JsonNode body, String model) {
    JsonNode input = body.get("input");
    List<String> inputs = new ArrayList<>();
    if (input != null && input.isArray() && !(input.size() > 0 && input.get(0).isNumber())) {
      input.forEach(i -> inputs.add(i.isTextual() ? i.asText() : i.toString()));
    } else {
      inputs.add(input == null ? "" : input.isTextual() ? input.asText() : input.toString());
    }
    int dimensions = Math.max(1, Math.min(body.path("dimensions").asInt(8), 4096));
    ObjectNode root = JSON.createObjectNode().put("object", "list").put("model", model);
    ArrayNode data = root.putArray("data");
    for (int i = 0; i < inputs.size(); i++) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      ArrayNode vector = item.putArray("embedding");
      long seed = inputs.get(i).hashCode();
      for (int d = 0; d < dimensions; d++) {
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        vector.add(((seed >>> 40) & 0xFFFF) / 65535.0 * 2 - 1);
      }
    }
    long prompt = tokens.countPrompt(model, body);
    root.putObject("usage").put("prompt_tokens", prompt).put("total_tokens", prompt);
    return root;
  }
}
