package dev.tollgate.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The worst case budgets reserve: every string of any request format counted, and the output cap. */
class WorstCaseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // Checked against an encoding of its own, not the counter under test.
  private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  private static final WorstCase WORST_CASE = new WorstCase(new TokenCounter());

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  private static long margin(long counted) {
    return counted + counted / 5 + 16;
  }

  private static long tokens(String text) {
    return O200K.countTokensOrdinary(text);
  }

  @Test
  void everyStringOfEveryObjectAndArrayIsCountedButTheModelName() throws Exception {
    String system = "You are a careful assistant who answers in French.";
    String question = "Quelle est la capitale de l'Australie ?";
    JsonNode body = json("""
        {"model": "gpt-4o-mini-with-a-long-name-that-must-not-count",
         "messages": [{"role": "system", "content": "%s"},
                      {"role": "user", "content": [{"type": "text", "text": "%s"}]}],
         "stream": true, "temperature": 0.2, "stop": null}""".formatted(system, question));

    // Objects: the body, two messages, one content part (3 tokens each); numbers: 1 each; booleans, nulls: 0.
    long counted = 4 * 3 + tokens("system") + tokens(system) + tokens("user") + tokens("text") + tokens(question) + 1;

    assertThat(WORST_CASE.promptTokens("gpt-4o-mini", body)).isEqualTo(margin(counted));
  }

  @Test
  void tokenIdsAndNumbersCountOneEachAndAnInlinedFileAFixedAmount() throws Exception {
    JsonNode ids = json("""
        {"model": "gpt-4o", "prompt": [[1, 2, 3], [4, 5]]}""");
    JsonNode image = json("""
        {"model": "gpt-4o", "input": [{"type": "input_image", "image_url": "data:image/png;base64,%s"}]}"""
        .formatted("QUFB".repeat(10_000)));

    assertThat(WORST_CASE.promptTokens("gpt-4o", ids)).isEqualTo(margin(3 + 5));
    assertThat(WORST_CASE.promptTokens("gpt-4o", image))
        .isEqualTo(margin(2 * 3 + tokens("input_image") + WorstCase.INLINE_DATA_TOKENS));
  }

  @Test
  void anEmptyOrAbsentBodyCostsOnlyTheMargin() throws Exception {
    assertThat(WORST_CASE.promptTokens("gpt-4o", null)).isEqualTo(16);
    assertThat(WORST_CASE.promptTokens("gpt-4o", json("{}"))).isEqualTo(margin(3));
  }

  @Test
  void outputIsCappedByTheRequestTimesItsChoicesElseTheModelElseTheKnownCap() throws Exception {
    OptionalLong none = OptionalLong.empty();
    assertThat(WorstCase.maxOutputTokens(json("{\"max_tokens\": 100, \"n\": 3}"), OptionalLong.of(50), "gpt-4o", false))
        .isEqualTo(300);
    assertThat(WorstCase.maxOutputTokens(json("{\"max_completion_tokens\": 70, \"max_tokens\": 100}"), none,
        "gpt-4o", false)).isEqualTo(70);
    assertThat(WorstCase.maxOutputTokens(json("{\"max_output_tokens\": 40}"), none, "gpt-4o", false)).isEqualTo(40);
    assertThat(WorstCase.maxOutputTokens(json("{\"max_tokens\": 0}"), OptionalLong.of(50), "gpt-4o", false))
        .isEqualTo(50);
    // The longest known prefix wins: gpt-4o-mini is a gpt-4o, gpt-4.1-mini a gpt-4.1.
    assertThat(WorstCase.maxOutputTokens(json("{}"), none, "gpt-4o-mini", false)).isEqualTo(16_384);
    assertThat(WorstCase.maxOutputTokens(json("{}"), none, "gpt-4.1-mini", false)).isEqualTo(32_768);
    assertThat(WorstCase.maxOutputTokens(json("{}"), none, "some-local-model", false))
        .isEqualTo(WorstCase.DEFAULT_OUTPUT_CAP);
    assertThat(WorstCase.maxOutputTokens(json("{\"max_tokens\": 100}"), none, "gpt-4o", true)).isZero();
  }
}
