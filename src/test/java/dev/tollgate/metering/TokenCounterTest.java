package dev.tollgate.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Local token counts: the right tokenizer per model family, and OpenAI's chat overhead recipe. */
class TokenCounterTest {
  // An independent registry (loading only the two encodings used) to check the counter against.
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Encoding O200K = REGISTRY.getEncoding(EncodingType.O200K_BASE);
  private static final Encoding CL100K = REGISTRY.getEncoding(EncodingType.CL100K_BASE);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Immutable and thread-safe; shared because loading the encodings takes a while. */
  private static final TokenCounter COUNTER = new TokenCounter();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4.1", "gpt-4.1-nano", "gpt-5",
      "o1", "o1-mini", "o3-mini", "o4-mini", "chatgpt-4o-latest"})
  void modernOpenAiModelsUseO200k(String model) {
    assertThat(COUNTER.encodingFor(model).getName()).isEqualTo("o200k_base");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-3.5-turbo", "gpt-4", "gpt-4-turbo", "text-embedding-3-small", "claude-3-5-haiku-latest",
      "qwen2.5-7b-instruct", "omni", "o", ""})
  void otherModelsUseCl100k(String model) {
    assertThat(COUNTER.encodingFor(model).getName()).isEqualTo("cl100k_base");
  }

  @Test
  void nullModelUsesCl100k() {
    assertThat(COUNTER.encodingFor(null).getName()).isEqualTo("cl100k_base");
  }

  /** Remembered counts are per encoding: the same text counts differently under o200k and cl100k. */
  @Test
  void promptTextCountsAreRememberedPerEncoding() {
    String text = "Grüße aus Köln! 你好，世界 🌍🚀 — déjà vu";
    assertThat(O200K.countTokensOrdinary(text)).isNotEqualTo(CL100K.countTokensOrdinary(text));
    TokenCounter counter = new TokenCounter();
    for (int i = 0; i < 3; i++) {
      assertThat(counter.countPromptText("gpt-4o", text)).isEqualTo(O200K.countTokensOrdinary(text));
      assertThat(counter.countPromptText("gpt-3.5-turbo", text)).isEqualTo(CL100K.countTokensOrdinary(text));
    }
    assertThat(counter.countPromptText("gpt-4o", "")).isZero();
    assertThat(counter.countPromptText("gpt-4o", null)).isZero();
  }

  @Test
  void promptTextLongerThanTheMemoryIsCountedEveryTime() {
    String text = "lorem ipsum dolor sit amet ".repeat((int) (TokenCounter.REMEMBERED_CHARS / 4 / 27) + 1);
    assertThat(COUNTER.countPromptText("gpt-3.5-turbo", text)).isEqualTo(CL100K.countTokensOrdinary(text));
  }

  @Test
  void countsKnownStrings() {
    assertThat(COUNTER.count("gpt-4o", "hello world")).isEqualTo(2);
    assertThat(COUNTER.count("gpt-3.5-turbo", "hello world")).isEqualTo(2);
    assertThat(COUNTER.count("gpt-4o", "tiktoken is great!")).isEqualTo(6);
    assertThat(COUNTER.encode("gpt-4o", "hello world").boxed()).containsExactly(24912, 2375);
    assertThat(COUNTER.encode("gpt-3.5-turbo", "hello world").boxed()).containsExactly(15339, 1917);
  }

  @ParameterizedTest
  @ValueSource(strings = {"The quick brown fox jumps over the lazy dog.", "Grüße aus Köln! 你好，世界 🌍🚀",
      "def f(x):\n    return x ** 2  # squares\n", "    lots   of   spaces\t\tand tabs\n\n\n", "1234567890 3.14159"})
  void countsMatchTheEncoderItself(String text) {
    assertThat(COUNTER.count("gpt-4o-mini", text)).isEqualTo(O200K.countTokensOrdinary(text)).isPositive();
    assertThat(COUNTER.count("claude-3-5-haiku-latest", text)).isEqualTo(CL100K.countTokensOrdinary(text)).isPositive();
  }

  @Test
  void specialTokenTextIsCountedAsOrdinaryText() {
    assertThat(COUNTER.count("gpt-4o", "<|endoftext|>")).isEqualTo(O200K.countTokensOrdinary("<|endoftext|>")).isEqualTo(7);
  }

  @Test
  void nullAndEmptyTextHaveNoTokens() {
    assertThat(COUNTER.count("gpt-4o", null)).isZero();
    assertThat(COUNTER.count("gpt-4o", "")).isZero();
  }

  @Test
  void encodeAndDecodeRoundTrip() {
    String text = "Grüße, 世界! tokens round-trip";
    IntArrayList tokens = COUNTER.encode("gpt-4o", text);
    assertThat(tokens.size()).isEqualTo(COUNTER.count("gpt-4o", text));
    assertThat(COUNTER.decode("gpt-4o", tokens)).isEqualTo(text);
  }

  // ---------------------------------------------------------------- prompts

  @Test
  void chatPromptAddsThreeTokensPerMessageAndThreeForTheReply() throws Exception {
    JsonNode body = json("""
        {"model":"gpt-4o","messages":[
          {"role":"system","content":"You are a helpful assistant."},
          {"role":"user","content":"hello world"}]}
        """);
    long expected = 3 + (3 + O200K.countTokensOrdinary("You are a helpful assistant.")) + (3 + 2);
    assertThat(expected).isEqualTo(3 + 3 + 6 + 3 + 2);
    assertThat(COUNTER.countPrompt("gpt-4o", body)).isEqualTo(expected);
  }

  @Test
  void aNameCostsItsTokensPlusOne() throws Exception {
    JsonNode body = json("{\"messages\":[{\"role\":\"user\",\"name\":\"alice_smith\",\"content\":\"hello world\"}]}");
    assertThat(COUNTER.countPrompt("gpt-4o", body))
        .isEqualTo(3 + 3 + 2 + O200K.countTokensOrdinary("alice_smith") + 1);
  }

  @Test
  void contentPartsCountOnlyTheirText() throws Exception {
    JsonNode body = json("""
        {"messages":[{"role":"user","content":[
          {"type":"text","text":"hello world"},
          {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
          {"type":"text","text":"tiktoken is great!"}]}]}
        """);
    assertThat(COUNTER.countPrompt("gpt-4o", body)).isEqualTo(3 + 3 + 2 + 6);
  }

  @Test
  void emptyAndNullContentCostOnlyTheOverhead() throws Exception {
    JsonNode body = json("{\"messages\":[{\"role\":\"assistant\",\"content\":null},{\"role\":\"user\",\"content\":\"\"},"
        + "{\"role\":\"user\"}]}");
    assertThat(COUNTER.countPrompt("gpt-4o", body)).isEqualTo(3 + 3 * 3);
  }

  @Test
  void toolCallsAndToolDefinitionsAreCountedAsTheirJson() throws Exception {
    String calls = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]";
    String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
        + "\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
    JsonNode body = json("{\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":" + calls + "},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}],\"tools\":" + tools + "}");
    long expected = 3
        + 3 + O200K.countTokensOrdinary(json(calls).toString())
        + 3 + O200K.countTokensOrdinary("sunny")
        + O200K.countTokensOrdinary(json(tools).toString());
    assertThat(COUNTER.countPrompt("gpt-4o", body)).isEqualTo(expected);
  }

  @Test
  void theModelPicksTheTokenizerForPrompts() throws Exception {
    String text = "Grüße aus Köln! 你好，世界 🌍🚀 and some more text";
    JsonNode body = json("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
    assertThat(COUNTER.countPrompt("gpt-4o", body)).isEqualTo(6 + O200K.countTokensOrdinary(text));
    assertThat(COUNTER.countPrompt("gpt-4", body)).isEqualTo(6 + CL100K.countTokensOrdinary(text));
    assertThat(O200K.countTokensOrdinary(text)).as("the two tokenizers differ on this text")
        .isNotEqualTo(CL100K.countTokensOrdinary(text));
  }

  @Test
  void completionPromptsAndEmbeddingInputsHaveNoChatOverhead() throws Exception {
    assertThat(COUNTER.countPrompt("gpt-3.5-turbo-instruct", json("{\"prompt\":\"hello world\"}"))).isEqualTo(2);
    assertThat(COUNTER.countPrompt("gpt-3.5-turbo-instruct", json("{\"prompt\":[\"hello world\",\"tiktoken is great!\"]}")))
        .isEqualTo(8);
    assertThat(COUNTER.countPrompt("text-embedding-3-small", json("{\"input\":\"hello world\"}"))).isEqualTo(2);
    assertThat(COUNTER.countPrompt("text-embedding-3-small", json("{\"input\":[\"hello world\",\"hello world\"]}")))
        .isEqualTo(4);
  }

  @Test
  void tokenIdInputsCountOneTokenPerId() throws Exception {
    assertThat(COUNTER.countPrompt("text-embedding-3-small", json("{\"input\":[15339,1917,0]}"))).isEqualTo(3);
    assertThat(COUNTER.countPrompt("text-embedding-3-small", json("{\"input\":[[1,2,3],[4,5]]}"))).isEqualTo(5);
    assertThat(COUNTER.countPrompt("gpt-3.5-turbo-instruct", json("{\"prompt\":[1,2,3,4]}"))).isEqualTo(4);
  }

  @Test
  void aBodyWithNothingToCountHasNoTokens() throws Exception {
    assertThat(COUNTER.countPrompt("gpt-4o", json("{\"model\":\"gpt-4o\"}"))).isZero();
    assertThat(COUNTER.countPrompt("gpt-4o", json("{\"input\":null}"))).isZero();
    assertThat(COUNTER.countPrompt("gpt-4o", json("{\"input\":{\"odd\":true}}"))).isZero();
    assertThat(COUNTER.countPrompt("gpt-4o", json("{\"messages\":[]}"))).isEqualTo(3);
  }

  @Test
  void promptTakesPrecedenceOverInput() throws Exception {
    assertThat(COUNTER.countPrompt("gpt-4o", json("{\"prompt\":\"hello world\",\"input\":\"tiktoken is great!\"}")))
        .isEqualTo(2);
  }
}
