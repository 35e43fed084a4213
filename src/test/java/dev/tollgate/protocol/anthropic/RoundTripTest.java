package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests over seeded random inputs: an Anthropic request decoded to canonical and encoded
 * for Anthropic again is the same JSON; an Anthropic stream decoded and re-encoded gives the same
 * canonical events and the same Anthropic event sequence.
 *
 * <p>Requests are generated within the mapped subset, in the form the encoder writes: a single text
 * block is a string, {@code is_error} and {@code stream} appear only when true, turns alternate.
 */
class RoundTripTest {
  private static final int SEEDS = 300;
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicRequestDecoder decoder = new AnthropicRequestDecoder(json);
  private final AnthropicProviderCodec codec = new AnthropicProviderCodec(json, 1024,
      Clock.fixed(Instant.ofEpochSecond(1_764_000_000L), ZoneOffset.UTC));

  static IntStream seeds() {
    return IntStream.range(0, SEEDS);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void aRequestSurvivesDecodeThenEncode(int seed) throws Exception {
    ObjectNode original = new RequestGenerator(json, new Random(seed)).request();
    ChatRequest canonical = decoder.decode(json.writeValueAsBytes(original));
    JsonNode encoded = json.readTree(codec.encode(canonical, canonical.model()).body().getBytes());
    assertThat(encoded).isEqualTo(json.readTree(json.writeValueAsBytes(original)));
  }

  static Stream<Arguments> streams() {
    Stream<Arguments> fixtures = Stream.of(
        Arguments.of("text", StreamFixtures.TEXT), Arguments.of("tool use", StreamFixtures.TOOL_USE),
        Arguments.of("thinking", StreamFixtures.THINKING), Arguments.of("overloaded", StreamFixtures.OVERLOADED));
    Stream<Arguments> generated = IntStream.range(0, 200)
        .mapToObj(seed -> Arguments.of("seed " + seed, new StreamGenerator(new ObjectMapper(), new Random(seed)).stream()));
    return Stream.concat(fixtures, generated);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void aStreamSurvivesDecodeThenReencode(String name, String stream) {
    List<StreamEvent> decoded = decodeInRandomChunks(stream, new Random(name.hashCode()));
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(json);
    Buffer reencoded = Buffer.buffer();
    decoded.forEach(e -> reencoded.appendBuffer(encoder.encode(e)));
    String again = reencoded.toString(StandardCharsets.UTF_8);

    assertThat(decodeInRandomChunks(again, new Random(7))).containsExactlyElementsOf(decoded);
    assertThat(shape(again)).containsExactlyElementsOf(shape(stream));
  }

  private List<StreamEvent> decodeInRandomChunks(String stream, Random random) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    StreamDecoder d = codec.streamDecoder();
    List<StreamEvent> out = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(40));
      out.addAll(d.feed(Buffer.buffer().appendBytes(bytes, at, n)));
      at += n;
    }
    out.addAll(d.end());
    return out;
  }

  /**
   * What a caller sees of an Anthropic stream, leaving out pings and usage counts (the encoder
   * writes every count in message_delta, where Anthropic spreads them over two events).
   */
  private List<JsonNode> shape(String stream) {
    List<JsonNode> out = new ArrayList<>();
    for (String event : stream.split("\n\n")) {
      for (String line : event.split("\n")) {
        if (line.startsWith("data:")) {
          try {
            ObjectNode data = (ObjectNode) json.readTree(line.substring(5).trim());
            if (data.get("type").asText().equals("ping")) {
              continue;
            }
            data.remove("usage");
            if (data.get("message") instanceof ObjectNode m) {
              m.remove("usage");
            }
            out.add(data);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return out;
  }

  /** Random Anthropic requests within the subset the canonical model maps. */
  static final class RequestGenerator {
    private final ObjectMapper json;
    private final Random random;
    private int ids;

    RequestGenerator(ObjectMapper json, Random random) {
      this.json = json;
      this.random = random;
    }

    ObjectNode request() {
      ObjectNode r = json.createObjectNode();
      r.put("model", pick("claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"));
      r.put("max_tokens", 1 + random.nextInt(8192));
      if (random.nextBoolean()) {
        if (random.nextBoolean()) {
          r.put("system", text());
        } else {
          ArrayNode system = r.putArray("system");
          for (int i = 0, n = 2 + random.nextInt(2); i < n; i++) {
            system.addObject().put("type", "text").put("text", text());
          }
        }
      }
      ArrayNode messages = r.putArray("messages");
      for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
        ObjectNode m = messages.addObject();
        m.put("role", i % 2 == 0 ? "user" : "assistant");
        m.set("content", i % 2 == 0 ? userContent() : assistantContent());
      }
      if (random.nextBoolean()) {
        r.put("temperature", pick(0.0, 0.25, 0.7, 1.5));
      }
      if (random.nextInt(3) == 0) {
        r.put("top_p", pick(0.1, 0.95));
      }
      if (random.nextInt(3) == 0) {
        r.put("top_k", 1 + random.nextInt(100));
      }
      if (random.nextInt(3) == 0) {
        ArrayNode stop = r.putArray("stop_sequences");
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
          stop.add(pick("\n\nHuman:", "END", "###", "</answer>"));
        }
      }
      if (random.nextBoolean()) {
        ArrayNode tools = r.putArray("tools");
        List<String> names = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
          String name = "tool_" + i;
          names.add(name);
          ObjectNode t = tools.addObject().put("name", name);
          if (random.nextBoolean()) {
            t.put("description", text());
          }
          ObjectNode schema = t.putObject("input_schema").put("type", "object");
          schema.putObject("properties").putObject("q").put("type", pick("string", "integer"));
          if (random.nextBoolean()) {
            schema.putArray("required").add("q");
          }
        }
        if (random.nextBoolean()) {
          ObjectNode choice = r.putObject("tool_choice");
          switch (random.nextInt(4)) {
            case 0 -> choice.put("type", "auto");
            case 1 -> choice.put("type", "any");
            case 2 -> choice.put("type", "none");
            default -> choice.put("type", "tool").put("name", names.get(random.nextInt(names.size())));
          }
          if (random.nextBoolean()) {
            choice.put("disable_parallel_tool_use", random.nextBoolean());
          }
        }
      }
      if (random.nextBoolean()) {
        r.put("stream", true);
      }
      if (random.nextInt(3) == 0) {
        r.putObject("metadata").put("user_id", "user-" + random.nextInt(1000));
      }
      if (random.nextInt(4) == 0) {
        r.putObject("thinking").put("type", "enabled").put("budget_tokens", 1024 + random.nextInt(4096));
      }
      if (random.nextInt(5) == 0) {
        r.put("service_tier", pick("auto", "standard_only"));
      }
      if (random.nextInt(4) == 0) {
        ObjectNode config = r.putObject("output_config");
        if (random.nextBoolean()) {
          config.put("effort", pick("low", "medium", "high"));
        }
        if (config.isEmpty() || random.nextBoolean()) {
          ObjectNode schema = config.putObject("format").put("type", "json_schema").putObject("schema")
              .put("type", "object").put("additionalProperties", false);
          schema.putObject("properties").putObject("answer").put("type", "string");
          schema.putArray("required").add("answer");
        }
      }
      return r;
    }

    private JsonNode userContent() {
      int shape = random.nextInt(3);
      if (shape == 0) {
        return json.getNodeFactory().textNode(random.nextInt(10) == 0 ? "" : text());
      }
      ArrayNode blocks = json.createArrayNode();
      int n = 2 + random.nextInt(4);
      for (int i = 0; i < n; i++) {
        switch (random.nextInt(3)) {
          case 0 -> blocks.addObject().put("type", "text").put("text", text());
          case 1 -> blocks.add(image());
          default -> blocks.add(toolResult());
        }
      }
      return blocks;
    }

    private ObjectNode image() {
      ObjectNode image = json.createObjectNode().put("type", "image");
      if (random.nextBoolean()) {
        image.putObject("source").put("type", "base64").put("media_type", pick("image/png", "image/jpeg", "image/webp"))
            .put("data", "iVBORw0KGgo" + random.nextInt(1000));
      } else {
        image.putObject("source").put("type", "url").put("url", "https://example.com/" + random.nextInt(1000) + ".png");
      }
      return image;
    }

    private ObjectNode toolResult() {
      ObjectNode result = json.createObjectNode().put("type", "tool_result").put("tool_use_id", "toolu_" + ids++);
      switch (random.nextInt(4)) {
        case 0 -> result.put("content", text());
        case 1 -> {
          ArrayNode content = result.putArray("content");
          content.addObject().put("type", "text").put("text", text());
          content.add(image());
        }
        case 2 -> result.putArray("content").add(image());
        default -> { }
      }
      if (random.nextInt(4) == 0) {
        result.put("is_error", true);
      }
      return result;
    }

    private JsonNode assistantContent() {
      if (random.nextInt(3) == 0) {
        return json.getNodeFactory().textNode(text());
      }
      ArrayNode blocks = json.createArrayNode();
      if (random.nextBoolean()) {
        blocks.addObject().put("type", "thinking").put("thinking", text()).put("signature", "sig" + random.nextInt(1 << 20));
      }
      if (random.nextInt(4) == 0) {
        blocks.addObject().put("type", "redacted_thinking").put("data", "EmwKAhgB" + random.nextInt(1000));
      }
      blocks.addObject().put("type", "text").put("text", text());
      for (int i = 0, n = random.nextInt(3); i < n; i++) {
        ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", "toolu_" + ids++).put("name", "tool_" + i);
        ObjectNode input = use.putObject("input");
        if (random.nextBoolean()) {
          input.put("q", text());
          input.putArray("list").add(1).add(2.5).add(true).addNull();
          input.putObject("nested").put("deep", random.nextInt());
        }
      }
      // A lone text block is the string form, which is how the encoder writes it.
      return blocks.size() == 1 ? blocks.get(0).get("text") : blocks;
    }

    private String text() {
      return pick("Hello", "What is the weather in Paris?", "Line one\nline two", "Unicode: é ü 日本語 🙂",
          "Quotes \"and\" backslashes \\ and tabs\t", "  padded  ");
    }

    @SafeVarargs
    private <T> T pick(T... options) {
      return options[random.nextInt(options.length)];
    }
  }

  /** Random Anthropic streams: text, thinking and tool-use blocks with arbitrary fragmenting. */
  static final class StreamGenerator {
    private final ObjectMapper json;
    private final Random random;
    private final StringBuilder out = new StringBuilder();

    StreamGenerator(ObjectMapper json, Random random) {
      this.json = json;
      this.random = random;
    }

    String stream() {
      ObjectNode start = json.createObjectNode().put("type", "message_start");
      ObjectNode message = start.putObject("message").put("id", "msg_" + random.nextInt(1 << 30)).put("type", "message")
          .put("role", "assistant");
      message.putArray("content");
      message.put("model", "claude-sonnet-4-5").putNull("stop_reason").putNull("stop_sequence");
      message.putObject("usage").put("input_tokens", random.nextInt(5000))
          .put("cache_creation_input_tokens", random.nextInt(3) == 0 ? random.nextInt(2000) : 0)
          .put("cache_read_input_tokens", random.nextInt(3) == 0 ? random.nextInt(2000) : 0).put("output_tokens", 1);
      event(start);
      if (random.nextBoolean()) {
        event(json.createObjectNode().put("type", "ping"));
      }
      int blocks = random.nextInt(5);
      String previous = "";
      int toolId = 0;
      for (int i = 0; i < blocks; i++) {
        int index = i;
        String kind = pick("text", "thinking", "tool_use");
        if (kind.equals(previous) && !kind.equals("tool_use")) {
          // Anthropic never writes two text blocks in a row; an encoder cannot tell them apart either.
          kind = "tool_use";
        }
        previous = kind;
        ObjectNode begin = json.createObjectNode().put("type", "content_block_start").put("index", index);
        switch (kind) {
          case "text" -> begin.putObject("content_block").put("type", "text").put("text", "");
          case "thinking" -> begin.putObject("content_block").put("type", "thinking").put("thinking", "")
              .put("signature", "");
          default -> begin.putObject("content_block").put("type", "tool_use").put("id", "toolu_" + toolId++)
              .put("name", pick("get_weather", "search")).putObject("input");
        }
        event(begin);
        switch (kind) {
          case "text" -> fragments("{\"answer\": \"The sky is blue, é 🙂.\"}").forEach(f -> delta(index,
              json.createObjectNode().put("type", "text_delta").put("text", f)));
          case "thinking" -> {
            fragments("Thinking about it: 2 × 3 = 6.").forEach(f -> delta(index,
                json.createObjectNode().put("type", "thinking_delta").put("thinking", f)));
            delta(index, json.createObjectNode().put("type", "signature_delta").put("signature", "EqQBCg" + index));
          }
          default -> fragments("{\"city\": \"San Francisco, CA\", \"days\": [1, 2]}").forEach(f -> delta(index,
              json.createObjectNode().put("type", "input_json_delta").put("partial_json", f)));
        }
        event(json.createObjectNode().put("type", "content_block_stop").put("index", index));
      }
      ObjectNode delta = json.createObjectNode().put("type", "message_delta");
      delta.putObject("delta").put("stop_reason", pick("end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"))
          .putNull("stop_sequence");
      delta.putObject("usage").put("output_tokens", random.nextInt(4000));
      event(delta);
      event(json.createObjectNode().put("type", "message_stop"));
      return out.toString();
    }

    private List<String> fragments(String text) {
      List<String> parts = new ArrayList<>();
      int at = 0;
      while (at < text.length()) {
        int end = Math.min(text.length(), at + 1 + random.nextInt(8));
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
          end++;
        }
        parts.add(text.substring(at, end));
        at = end;
      }
      return parts;
    }

    private void delta(int index, ObjectNode delta) {
      ObjectNode e = json.createObjectNode().put("type", "content_block_delta").put("index", index);
      e.set("delta", delta);
      event(e);
    }

    private void event(ObjectNode data) {
      out.append("event: ").append(data.get("type").asText()).append("\ndata: ").append(data).append("\n\n");
    }

    @SafeVarargs
    private <T> T pick(T... options) {
      return options[random.nextInt(options.length)];
    }
  }
}
