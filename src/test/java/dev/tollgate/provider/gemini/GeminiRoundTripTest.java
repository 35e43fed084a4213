package dev.tollgate.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.Tool;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A function-calling exchange as a caller drives it through the gateway: Gemini's answer decoded,
 * sent back as history with the tool's result, and encoded again for the next step.
 */
class GeminiRoundTripTest {
  private final ObjectMapper json = new ObjectMapper();
  private final GeminiCodec codec = new GeminiCodec(json, new GeminiPaths.GoogleAi());

  private static final Tool LIGHTS = new Tool("set_light_values", "Sets the brightness and color temperature of a light.",
      """
      {"type":"object","properties":{"brightness":{"type":"integer","description":"Light level from 0 to 100."},\
      "color_temp":{"type":"string","enum":["daylight","cool","warm"]}},"required":["brightness","color_temp"]}""");

  @Test
  void callThenFunctionResponseKeepsTheSignatureAndNamesTheFunction() throws Exception {
    ChatResponse first = codec.decode(Buffer.buffer("""
        {"candidates": [{"content": {"role": "model", "parts": [
            {"text": "I'll dim the lights.", "thought": true},
            {"functionCall": {"name": "set_light_values", "args": {"brightness": 25, "color_temp": "warm"}},
             "thoughtSignature": "CiwBVKhc7nLEXwSDwjQ1pp3vsTg7A=="}
          ]}, "finishReason": "STOP", "index": 0}],
         "usageMetadata": {"promptTokenCount": 97, "candidatesTokenCount": 22, "thoughtsTokenCount": 61,
          "totalTokenCount": 180}, "modelVersion": "gemini-2.5-flash", "responseId": "first"}"""));
    ChatResponse.Candidate answer = first.candidates().getFirst();
    assertThat(answer.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    Part.ToolCall call = (Part.ToolCall) answer.parts().get(2);

    Requests next = Requests.of(
        Message.user("Dim the lights so the room feels cozy and warm."),
        new Message(Role.ASSISTANT, answer.parts()),
        new Message(Role.TOOL, List.of(new Part.ToolResult(call.id(),
            List.of(new Part.Text("{\"brightness\": 25, \"colorTemperature\": \"warm\"}")), false))))
        .tools(null, LIGHTS);
    JsonNode body = json.readTree(codec.encode(next.build(), "gemini-2.5-flash").body().getBytes());

    assertThat(body.get("contents")).isEqualTo(json.readTree("""
        [
          {"role": "user", "parts": [{"text": "Dim the lights so the room feels cozy and warm."}]},
          {"role": "model", "parts": [
            {"functionCall": {"name": "set_light_values", "args": {"brightness": 25, "color_temp": "warm"}},
             "thoughtSignature": "CiwBVKhc7nLEXwSDwjQ1pp3vsTg7A=="}
          ]},
          {"role": "user", "parts": [
            {"functionResponse": {"name": "set_light_values",
              "response": {"output": "{\\"brightness\\": 25, \\"colorTemperature\\": \\"warm\\"}"}}}
          ]}
        ]"""));

    ChatResponse second = codec.decode(Buffer.buffer("""
        {"candidates": [{"content": {"role": "model", "parts": [
            {"text": "OK. I've dimmed the lights to 25% brightness with a warm color temperature."}]},
          "finishReason": "STOP", "index": 0}],
         "usageMetadata": {"promptTokenCount": 150, "candidatesTokenCount": 19, "totalTokenCount": 169},
         "modelVersion": "gemini-2.5-flash", "responseId": "second"}"""));
    assertThat(second.candidates().getFirst().stopReason()).isEqualTo(StopReason.END);
  }

  @Test
  void thinkingThatUsedEveryTokenLeavesAnAnswerWithoutParts() {
    ChatResponse r = codec.decode(Buffer.buffer("""
        {"candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}],
         "usageMetadata": {"promptTokenCount": 11, "totalTokenCount": 110, "thoughtsTokenCount": 99},
         "modelVersion": "gemini-2.5-flash", "responseId": "x"}"""));

    assertThat(r.candidates()).containsExactly(new ChatResponse.Candidate(0, List.of(), StopReason.MAX_TOKENS));
    assertThat(r.usage().output()).isEqualTo(99);
    assertThat(r.usage().reasoning()).isEqualTo(99);
  }
}
