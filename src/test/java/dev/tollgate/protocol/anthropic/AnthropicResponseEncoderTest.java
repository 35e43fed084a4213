package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Canonical answers as Anthropic message objects. */
class AnthropicResponseEncoderTest {
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicResponseEncoder encoder = new AnthropicResponseEncoder(json);

  private static ChatResponse answer(List<Part> parts, StopReason reason, Usage usage) {
    return new ChatResponse("msg_013Zva2CMHLNnXjNJJKqJ2EF", "claude-sonnet-4-5", 1_700_000_000L,
        List.of(new ChatResponse.Candidate(0, parts, reason)), usage);
  }

  private JsonNode tree(String text) throws Exception {
    return json.readTree(text.replace('\'', '"'));
  }

  @Test
  void writesTheDocumentationsMessageShape() throws Exception {
    var out = encoder.encode(answer(List.of(new Part.Text("Hi! My name is Claude.")), StopReason.END,
        new Usage(2095 + 300 + 100, 503, 300, 100, 0)));
    assertThat(json.readTree(out.getBytes())).isEqualTo(tree("""
        {'id':'msg_013Zva2CMHLNnXjNJJKqJ2EF','type':'message','role':'assistant',
         'content':[{'type':'text','text':'Hi! My name is Claude.'}],
         'model':'claude-sonnet-4-5','stop_reason':'end_turn','stop_sequence':null,
         'usage':{'input_tokens':2095,'cache_creation_input_tokens':100,'cache_read_input_tokens':300,'output_tokens':503}}"""));
  }

  @Test
  void writesThinkingToolUseAndRedactedThinkingInOrder() throws Exception {
    var out = json.readTree(encoder.encode(answer(List.of(
        new Part.Reasoning("Let me check the weather.", "EqQBCgIYAhIM", null),
        new Part.Reasoning("", null, "EmwKAhgBEgy3va3pzix"),
        new Part.Reasoning("unsigned", null, null),
        new Part.Text("I will look that up."),
        new Part.ToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"location\":\"San Francisco, CA\"}")),
        StopReason.TOOL_CALLS, Usage.NONE)).getBytes());
    assertThat(out.get("content")).isEqualTo(tree("""
        [{'type':'thinking','thinking':'Let me check the weather.','signature':'EqQBCgIYAhIM'},
         {'type':'redacted_thinking','data':'EmwKAhgBEgy3va3pzix'},
         {'type':'thinking','thinking':'unsigned','signature':''},
         {'type':'text','text':'I will look that up.'},
         {'type':'tool_use','id':'toolu_01A09q90qw90lq917835lq9','name':'get_weather',
          'input':{'location':'San Francisco, CA'}}]"""));
    assertThat(out.get("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(out.get("usage")).isEqualTo(tree(
        "{'input_tokens':0,'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':0}"));
  }

  @ParameterizedTest
  @CsvSource({"END,end_turn", "MAX_TOKENS,max_tokens", "STOP_SEQUENCE,stop_sequence", "TOOL_CALLS,tool_use",
      "CONTENT_FILTER,refusal", "OTHER,end_turn"})
  void mapsEveryStopReason(StopReason reason, String expected) {
    var out = encoder.json(answer(List.of(new Part.Text("x")), reason, Usage.NONE));
    assertThat(out.get("stop_reason").asText()).isEqualTo(expected);
    assertThat(out.get("stop_sequence").isNull()).isTrue();
  }

  @Test
  void aMissingUsageIsWrittenAsZeros() {
    var out = encoder.json(answer(List.of(), StopReason.END, null));
    assertThat(out.get("usage").get("input_tokens").asLong()).isZero();
    assertThat(out.get("content").isEmpty()).isTrue();
  }

  @Test
  void refusesSeveralCandidates() {
    var two = new ChatResponse("msg_1", "m", 0, List.of(
        new ChatResponse.Candidate(0, List.of(new Part.Text("a")), StopReason.END),
        new ChatResponse.Candidate(1, List.of(new Part.Text("b")), StopReason.END)), Usage.NONE);
    assertThatThrownBy(() -> encoder.json(two)).isInstanceOfSatisfying(TranslationException.class, e -> {
      assertThat(e.field()).isEqualTo("n");
      assertThat(e.getMessage()).contains("exactly one answer").contains("2");
    });
  }

  @Test
  void refusesImagesAndToolResultsInAnAnswer() {
    assertThatThrownBy(() -> encoder.json(answer(List.of(new Part.Text("x"), Part.Image.ofUrl("https://a/b.png")),
        StopReason.END, Usage.NONE)))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo("content[1]"));
    assertThatThrownBy(() -> encoder.json(answer(List.of(new Part.ToolResult("t", List.of(), false)),
        StopReason.END, Usage.NONE)))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo("content[0]"));
  }

  @Test
  void refusesToolCallArgumentsThatAreNotAJsonObject() {
    assertThatThrownBy(() -> encoder.json(answer(List.of(new Part.ToolCall("t", "f", "[1,2]")),
        StopReason.TOOL_CALLS, Usage.NONE)))
        .isInstanceOfSatisfying(TranslationException.class, e -> {
          assertThat(e.field()).isEqualTo("content[0]");
          assertThat(e.getMessage()).contains("JSON object");
        });
  }
}
