package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.StreamEvent.End;
import dev.tollgate.protocol.canonical.StreamEvent.Finish;
import dev.tollgate.protocol.canonical.StreamEvent.ReasoningDelta;
import dev.tollgate.protocol.canonical.StreamEvent.Start;
import dev.tollgate.protocol.canonical.StreamEvent.TextDelta;
import dev.tollgate.protocol.canonical.StreamEvent.ToolCallDelta;
import dev.tollgate.protocol.canonical.StreamEvent.ToolCallStart;
import dev.tollgate.protocol.canonical.StreamEvent.UsageReport;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Canonical stream events as Anthropic server-sent events. */
class AnthropicStreamEncoderTest {
  private final ObjectMapper json = new ObjectMapper();

  /** One written SSE event: its name and its data. */
  record Sse(String event, JsonNode data) {}

  private List<Sse> encode(StreamEvent... events) {
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(json);
    Buffer out = Buffer.buffer();
    for (StreamEvent e : events) {
      out.appendBuffer(encoder.encode(e));
    }
    return parse(out);
  }

  List<Sse> parse(Buffer bytes) {
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n\n");
    List<Sse> out = new ArrayList<>();
    for (String block : text.split("\n\n")) {
      String[] lines = block.split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      try {
        JsonNode data = json.readTree(lines[1].substring("data: ".length()));
        String name = lines[0].substring("event: ".length());
        assertThat(data.get("type").asText()).isEqualTo(name);
        out.add(new Sse(name, data));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  private JsonNode tree(String text) {
    try {
      return json.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> names(List<Sse> events) {
    return events.stream().map(Sse::event).toList();
  }

  @Test
  void writesATextStreamAsTheDocumentationShowsIt() {
    List<Sse> out = encode(new Start("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "claude-opus-4-6", 0),
        new TextDelta(0, "Hello"), new TextDelta(0, "!"), new Finish(0, StopReason.END),
        new UsageReport(new Usage(25, 15, 0, 0, 0)), new End());
    assertThat(out.stream().map(Sse::data).toList()).containsExactly(
        tree("""
            {'type':'message_start','message':{'id':'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY','type':'message',
             'role':'assistant','content':[],'model':'claude-opus-4-6','stop_reason':null,'stop_sequence':null,
             'usage':{'input_tokens':0,'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':0}}}"""),
        tree("{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}"),
        tree("{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hello'}}"),
        tree("{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'!'}}"),
        tree("{'type':'content_block_stop','index':0}"),
        tree("""
            {'type':'message_delta','delta':{'stop_reason':'end_turn','stop_sequence':null},
             'usage':{'input_tokens':25,'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':15}}"""),
        tree("{'type':'message_stop'}"));
  }

  @Test
  void opensANewBlockWhenTheKindChangesOrANewToolCallStarts() {
    List<Sse> out = encode(new Start("msg_1", "m", 0),
        new ReasoningDelta(0, "think", null), new ReasoningDelta(0, "", "sig=="),
        new TextDelta(0, "Let me check."),
        new ToolCallStart(0, 0, "toolu_a", "get_weather"), new ToolCallDelta(0, 0, "{\"city\":"),
        new ToolCallDelta(0, 0, "\"Paris\"}"),
        new ToolCallStart(0, 1, "toolu_b", "get_time"), new ToolCallDelta(0, 1, "{}"),
        new Finish(0, StopReason.TOOL_CALLS), new UsageReport(Usage.NONE), new End());
    assertThat(names(out)).containsExactly("message_start",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop");
    assertThat(out.get(1).data()).isEqualTo(tree(
        "{'type':'content_block_start','index':0,'content_block':{'type':'thinking','thinking':'','signature':''}}"));
    assertThat(out.get(2).data().get("delta")).isEqualTo(tree("{'type':'thinking_delta','thinking':'think'}"));
    assertThat(out.get(3).data().get("delta")).isEqualTo(tree("{'type':'signature_delta','signature':'sig=='}"));
    assertThat(out.get(5).data().get("index").asInt()).isEqualTo(1);
    assertThat(out.get(8).data()).isEqualTo(tree("""
        {'type':'content_block_start','index':2,'content_block':{'type':'tool_use','id':'toolu_a',
         'name':'get_weather','input':{}}}"""));
    assertThat(out.get(9).data()).isEqualTo(tree(
        "{'type':'content_block_delta','index':2,'delta':{'type':'input_json_delta','partial_json':'{\\'city\\':'}}"
            .replace("\\'", "\\\"")));
    assertThat(out.get(12).data().get("index").asInt()).isEqualTo(3);
    assertThat(out.get(14).data()).isEqualTo(tree("{'type':'content_block_stop','index':3}"));
    assertThat(out.get(15).data().get("delta").get("stop_reason").asText()).isEqualTo("tool_use");
  }

  @Test
  void thinkingAfterASignatureIsANewBlock() {
    List<Sse> out = encode(new Start("msg_1", "m", 0), new ReasoningDelta(0, "a", null),
        new ReasoningDelta(0, "", "s1"), new ReasoningDelta(0, "b", null), new Finish(0, StopReason.END), new End());
    assertThat(out.stream().filter(e -> e.event().equals("content_block_start"))
        .map(e -> e.data().get("index").asInt()).toList()).containsExactly(0, 1);
  }

  @Test
  void writesTheMessageDeltaOnceWhetherUsageComesBeforeOrAfterFinish() {
    Usage usage = new Usage(1000, 50, 600, 100, 10);
    JsonNode expected = tree("""
        {'type':'message_delta','delta':{'stop_reason':'max_tokens','stop_sequence':null},
         'usage':{'input_tokens':300,'cache_creation_input_tokens':100,'cache_read_input_tokens':600,'output_tokens':50}}""");
    for (var order : List.of(
        List.<StreamEvent>of(new Finish(0, StopReason.MAX_TOKENS), new UsageReport(usage)),
        List.<StreamEvent>of(new UsageReport(usage), new Finish(0, StopReason.MAX_TOKENS)))) {
      List<StreamEvent> events = new ArrayList<>();
      events.add(new Start("msg_1", "m", 0));
      events.add(new TextDelta(0, "x"));
      events.addAll(order);
      events.add(new End());
      List<Sse> out = encode(events.toArray(StreamEvent[]::new));
      assertThat(out.stream().filter(e -> e.event().equals("message_delta")).map(Sse::data).toList())
          .containsExactly(expected);
      assertThat(names(out).getLast()).isEqualTo("message_stop");
      assertThat(names(out).indexOf("content_block_stop")).isLessThan(names(out).indexOf("message_delta"));
    }
  }

  @Test
  void aStreamWithoutUsageStillEndsWithMessageDeltaAndStop() {
    List<Sse> out = encode(new Start("msg_1", "m", 0), new TextDelta(0, "x"), new Finish(0, StopReason.END),
        new End());
    assertThat(names(out)).endsWith("content_block_stop", "message_delta", "message_stop");
    assertThat(out.get(out.size() - 2).data().get("usage").get("output_tokens").asLong()).isZero();
  }

  @Test
  void failureWritesAnthropicsErrorEventAndEndsTheStream() {
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(json);
    encoder.encode(new Start("msg_1", "m", 0));
    encoder.encode(new TextDelta(0, "Par"));
    Buffer failure = encoder.failure("overloaded_error", "Overloaded");
    assertThat(failure.toString(StandardCharsets.UTF_8)).startsWith("event: error\ndata: ").endsWith("\n\n");
    assertThat(parse(failure).getFirst().data()).isEqualTo(
        tree("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}"));
    assertThat(encoder.encode(new End()).length()).isZero();
  }

  @Test
  void aFailureEventAndAnUnknownErrorTypeBecomeAnApiError() {
    List<Sse> out = encode(new Start("msg_1", "m", 0), new StreamEvent.Failure("server_error", "upstream broke"));
    assertThat(out.getLast().data()).isEqualTo(
        tree("{'type':'error','error':{'type':'api_error','message':'upstream broke'}}"));
  }

  @Test
  void refusesWhatAnAnthropicStreamCannotCarry() {
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(json);
    encoder.encode(new Start("msg_1", "m", 0));
    assertThatThrownBy(() -> encoder.encode(new TextDelta(1, "second candidate")))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo("n"));
    encoder.encode(new ToolCallStart(0, 0, "a", "f"));
    encoder.encode(new ToolCallStart(0, 1, "b", "g"));
    assertThatThrownBy(() -> encoder.encode(new ToolCallDelta(0, 0, "{}")))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo("tool_calls[0]"));
    assertThatThrownBy(() -> new AnthropicStreamEncoder(json).encode(new TextDelta(0, "x")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> encoder.encode(new Start("msg_2", "m", 0))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRedactedReasoningBlockIsWrittenWholeAndClosedAtOnce() {
    List<Sse> out = encode(new StreamEvent.Start("msg_1", "claude", 1),
        new StreamEvent.ReasoningDelta(0, "", null, "EmwKAhgBEgy3va3pzix"),
        new StreamEvent.TextDelta(0, "Hi"));

    assertThat(out).extracting(Sse::event).containsExactly("message_start", "content_block_start",
        "content_block_stop", "content_block_start", "content_block_delta");
    assertThat(out.get(1).data().at("/content_block/type").asText()).isEqualTo("redacted_thinking");
    assertThat(out.get(1).data().at("/content_block/data").asText()).isEqualTo("EmwKAhgBEgy3va3pzix");
    assertThat(out.get(2).data().get("index").asInt()).isZero();
    assertThat(out.get(3).data().get("index").asInt()).isEqualTo(1);
  }
}
