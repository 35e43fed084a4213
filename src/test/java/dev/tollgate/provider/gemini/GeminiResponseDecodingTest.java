package dev.tollgate.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.provider.ErrorClass;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole GenerateContentResponse bodies, shaped as Google's API reference shows them, read into canonical answers. */
class GeminiResponseDecodingTest {
  private final GeminiCodec codec = new GeminiCodec(new ObjectMapper(), new GeminiPaths.GoogleAi());

  private ChatResponse decode(String body) {
    return codec.decode(Buffer.buffer(body));
  }

  @Test
  void textAnswer() {
    ChatResponse r = decode("""
        {
          "candidates": [
            {
              "content": {
                "parts": [{"text": "In the quiet town of Oakhaven, "}, {"text": "a girl named Lily found a backpack."}],
                "role": "model"
              },
              "finishReason": "STOP",
              "avgLogprobs": -0.36174345016479492
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 8,
            "candidatesTokenCount": 420,
            "totalTokenCount": 428,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 420}]
          },
          "modelVersion": "gemini-2.0-flash",
          "responseId": "mAitaLmkHPPlz7IPvtfUqQ4"
        }""");

    assertThat(r.id()).isEqualTo("mAitaLmkHPPlz7IPvtfUqQ4");
    assertThat(r.model()).isEqualTo("gemini-2.0-flash");
    assertThat(r.created()).isZero();
    assertThat(r.candidates()).containsExactly(new ChatResponse.Candidate(0,
        List.of(new Part.Text("In the quiet town of Oakhaven, "), new Part.Text("a girl named Lily found a backpack.")),
        StopReason.END));
    assertThat(r.usage()).isEqualTo(new Usage(8, 420, 0, 0, 0));
  }

  @Test
  void functionCallsGetStableGeneratedIdsUnlessGeminiSendsOne() {
    ChatResponse r = decode("""
        {
          "candidates": [{
            "content": {"role": "model", "parts": [
              {"functionCall": {"name": "set_light_values", "args": {"brightness": 25, "color_temp": "warm"}}},
              {"functionCall": {"name": "stop_clock"}},
              {"functionCall": {"id": "fc-7x", "name": "get_time", "args": {}}}
            ]},
            "finishReason": "STOP",
            "index": 0
          }],
          "usageMetadata": {"promptTokenCount": 81, "candidatesTokenCount": 20, "totalTokenCount": 101},
          "modelVersion": "gemini-2.5-flash"
        }""");

    ChatResponse.Candidate c = r.candidates().getFirst();
    assertThat(c.parts()).containsExactly(
        new Part.ToolCall("call_0", "set_light_values", "{\"brightness\":25,\"color_temp\":\"warm\"}"),
        new Part.ToolCall("call_1", "stop_clock", "{}"),
        new Part.ToolCall("fc-7x", "get_time", "{}"));
    assertThat(c.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(r.id()).isEmpty();
  }

  @Test
  void thinkingModelsThoughtsSignaturesAndUsage() {
    ChatResponse r = decode("""
        {
          "candidates": [{
            "content": {"role": "model", "parts": [
              {"text": "**Calculating the paws**\\nTwo dogs, four paws each.", "thought": true},
              {"text": "There are 8 paws in your house.", "thoughtSignature": "CiQBcsjafH0WpgS8yZ8hOk2Kp4qg=="}
            ]},
            "finishReason": "STOP",
            "index": 0
          }],
          "usageMetadata": {
            "promptTokenCount": 2140,
            "candidatesTokenCount": 9,
            "totalTokenCount": 3202,
            "cachedContentTokenCount": 2048,
            "toolUsePromptTokenCount": 30,
            "thoughtsTokenCount": 1023,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 2140}],
            "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 2048}]
          },
          "modelVersion": "gemini-2.5-pro",
          "responseId": "r-1"
        }""");

    assertThat(r.candidates().getFirst().parts()).containsExactly(
        new Part.Reasoning("**Calculating the paws**\nTwo dogs, four paws each.", null, null),
        new Part.Reasoning("", "gemini:CiQBcsjafH0WpgS8yZ8hOk2Kp4qg==", null),
        new Part.Text("There are 8 paws in your house."));
    // input = prompt (cache included) + tool-use prompt; output = candidates + thoughts
    assertThat(r.usage()).isEqualTo(new Usage(2170, 1032, 2048, 0, 1023));
  }

  @Test
  void signedFunctionCallAndASignatureOnlyPart() {
    ChatResponse r = decode("""
        {"candidates": [{"content": {"role": "model", "parts": [
            {"functionCall": {"name": "check_flight", "args": {"flight": "AA100"}}, "thoughtSignature": "<Sig_A>"},
            {"text": "", "thoughtSignature": "<Sig_B>"},
            {"thoughtSignature": "<Sig_C>"}
          ]}, "finishReason": "STOP"}]}""");

    assertThat(r.candidates().getFirst().parts()).containsExactly(
        new Part.Reasoning("", "gemini:<Sig_A>", null),
        new Part.ToolCall("call_0", "check_flight", "{\"flight\":\"AA100\"}"),
        new Part.Reasoning("", "gemini:<Sig_B>", null),
        new Part.Reasoning("", "gemini:<Sig_C>", null));
  }

  @Test
  void severalCandidatesNumberToolCallsAcrossTheAnswer() {
    ChatResponse r = decode("""
        {"candidates": [
          {"index": 0, "content": {"role": "model", "parts": [{"functionCall": {"name": "a", "args": {}}}]},
           "finishReason": "STOP"},
          {"index": 1, "content": {"role": "model", "parts": [{"functionCall": {"name": "b", "args": {}}}]},
           "finishReason": "MAX_TOKENS"}
        ]}""");

    assertThat(r.candidates()).extracting(ChatResponse.Candidate::index).containsExactly(0, 1);
    assertThat(r.candidates().get(1).parts()).containsExactly(new Part.ToolCall("call_1", "b", "{}"));
    assertThat(r.candidates().get(1).stopReason()).isEqualTo(StopReason.MAX_TOKENS);
  }

  @Test
  void candidateBlockedBySafetyHasNoContentAndAContentFilterStop() {
    ChatResponse r = decode("""
        {
          "candidates": [{
            "finishReason": "SAFETY",
            "index": 0,
            "safetyRatings": [
              {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
              {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
              {"category": "HARM_CATEGORY_HARASSMENT", "probability": "MEDIUM", "blocked": true},
              {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"}
            ]
          }],
          "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
          "modelVersion": "gemini-1.5-flash"
        }""");

    assertThat(r.candidates()).containsExactly(new ChatResponse.Candidate(0, List.of(), StopReason.CONTENT_FILTER));
    assertThat(r.usage()).isEqualTo(new Usage(12, 0, 0, 0, 0));
  }

  @Test
  void blockedPromptThrowsAContentFilterErrorWithItsUsage() {
    assertThatThrownBy(() -> decode("""
        {
          "promptFeedback": {
            "blockReason": "SAFETY",
            "safetyRatings": [
              {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
              {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "HIGH"},
              {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
              {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"}
            ]
          },
          "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
          "modelVersion": "gemini-2.0-flash"
        }"""))
        .isInstanceOfSatisfying(GeminiBlockedException.class, e -> {
          assertThat(e.error().errorClass()).isEqualTo(ErrorClass.CONTENT_FILTERED);
          assertThat(e.error().type()).isEqualTo("SAFETY");
          assertThat(e.error().status()).isEqualTo(200);
          assertThat(e.error().retryAfterSeconds()).isEqualTo(-1);
          assertThat(e.usage()).isEqualTo(new Usage(8, 0, 0, 0, 0));
        });
  }

  @Test
  void blockedPromptWithEmptyCandidatesAndAMessage() {
    assertThatThrownBy(() -> decode("""
        {"candidates": [], "promptFeedback": {"blockReason": "PROHIBITED_CONTENT",
          "blockReasonMessage": "The prompt was blocked."},
         "usageMetadata": {"promptTokenCount": 12559, "totalTokenCount": 12559}, "modelVersion": "gemini-1.5-flash-002"}"""))
        .isInstanceOfSatisfying(GeminiBlockedException.class, e -> {
          assertThat(e.error().type()).isEqualTo("PROHIBITED_CONTENT");
          assertThat(e.getMessage()).contains("PROHIBITED_CONTENT").contains("The prompt was blocked.");
          assertThat(e.usage().input()).isEqualTo(12559);
        });
  }

  @Test
  void vertexCreateTimeBecomesCreated() {
    ChatResponse r = decode("""
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}],
         "createTime": "2025-07-15T10:26:03.123456Z", "responseId": "v1", "modelVersion": "gemini-2.0-flash-001"}""");
    assertThat(r.created()).isEqualTo(1752575163L);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource
  void finishReasons(String finishReason, StopReason expected) {
    ChatResponse r = decode("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"x\"}]},"
        + "\"finishReason\":\"" + finishReason + "\"}]}");
    assertThat(r.candidates().getFirst().stopReason()).isEqualTo(expected);
  }

  static Stream<Arguments> finishReasons() {
    return Stream.of(
        Arguments.of("STOP", StopReason.END),
        Arguments.of("MAX_TOKENS", StopReason.MAX_TOKENS),
        Arguments.of("SAFETY", StopReason.CONTENT_FILTER),
        Arguments.of("RECITATION", StopReason.CONTENT_FILTER),
        Arguments.of("BLOCKLIST", StopReason.CONTENT_FILTER),
        Arguments.of("PROHIBITED_CONTENT", StopReason.CONTENT_FILTER),
        Arguments.of("SPII", StopReason.CONTENT_FILTER),
        Arguments.of("IMAGE_SAFETY", StopReason.CONTENT_FILTER),
        Arguments.of("MALFORMED_FUNCTION_CALL", StopReason.OTHER),
        Arguments.of("OTHER", StopReason.OTHER),
        Arguments.of("LANGUAGE", StopReason.OTHER),
        Arguments.of("FINISH_REASON_UNSPECIFIED", StopReason.OTHER));
  }

  @ParameterizedTest
  @MethodSource
  void malformedAnswersAreTranslationErrorsNamingTheField(String body, String field) {
    assertThatThrownBy(() -> decode(body))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  static Stream<Arguments> malformedAnswersAreTranslationErrorsNamingTheField() {
    return Stream.of(
        Arguments.of("", "body"),
        Arguments.of("<html>502 Bad Gateway</html>", "body"),
        Arguments.of("[1,2]", "body"),
        Arguments.of("{\"candidates\": {}}", "candidates"),
        Arguments.of("{\"usageMetadata\": {\"promptTokenCount\": 3}}", "candidates"),
        Arguments.of("{\"candidates\": [7]}", "candidates[0]"),
        Arguments.of("{\"candidates\": [{\"content\": {\"parts\": {}}}]}", "candidates[0].content.parts"),
        Arguments.of("{\"candidates\": [{\"content\": {\"parts\": [\"hi\"]}}]}", "candidates[0].content.parts[0]"),
        Arguments.of("{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"args\": {}}}]}}]}",
            "candidates[0].content.parts[0].functionCall.name"),
        Arguments.of("{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"f\", \"args\": [1]}}]}}]}",
            "candidates[0].content.parts[0].functionCall.args"),
        Arguments.of("{\"candidates\": [{\"content\": {\"parts\": [{\"executableCode\": {\"code\": \"print(1)\"}}]}}]}",
            "candidates[0].content.parts[0]"),
        Arguments.of("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": 5}]}}]}", "candidates[0].content.parts[0]"),
        Arguments.of("{\"candidates\": [{\"finishReason\": \"STOP\"}], \"createTime\": \"yesterday\"}", "createTime"));
  }
}
