package dev.tollgate.protocol.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.tollgate.provider.Endpoint;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.GatewayException;
import io.vertx.core.buffer.Buffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad body is a 400 in OpenAI's shape naming the offending field; good bodies pass untouched. */
class RequestDecoderTest {
  private static final String MSGS = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
  private final RequestDecoder decoder = new RequestDecoder();

  private static final Endpoint CHAT = Endpoint.CHAT_COMPLETIONS;
  private static final Endpoint COMPLETIONS = Endpoint.COMPLETIONS;
  private static final Endpoint EMBEDDINGS = Endpoint.EMBEDDINGS;

  private static Arguments invalid(String name, Endpoint endpoint, String body, String param, String message) {
    return argumentSet(name, endpoint, body, "invalid_request", param, message);
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        // --- shape
        invalid("array body", CHAT, "[]", null, "the request body must be a JSON object"),
        invalid("string body", CHAT, "\"hello\"", null, "the request body must be a JSON object"),
        invalid("null body", CHAT, "null", null, "the request body must be a JSON object"),
        invalid("whitespace body", CHAT, "  \n ", null, "the request body must be a JSON object"),
        // --- model
        invalid("model missing", CHAT, "{" + MSGS + "}", "model", "missing required field 'model'"),
        invalid("model null", CHAT, "{\"model\":null," + MSGS + "}", "model", "missing required field 'model'"),
        invalid("model a number", CHAT, "{\"model\":4," + MSGS + "}", "model", "'model' must be a string"),
        invalid("model an object", CHAT, "{\"model\":{}," + MSGS + "}", "model", "'model' must be a string"),
        invalid("model blank", CHAT, "{\"model\":\"  \"," + MSGS + "}", "model", "'model' must not be empty"),
        // --- stream and stream_options
        invalid("stream a string", CHAT, "{\"model\":\"m\",\"stream\":\"true\"," + MSGS + "}", "stream",
            "'stream' must be a boolean"),
        invalid("stream a number", CHAT, "{\"model\":\"m\",\"stream\":1," + MSGS + "}", "stream",
            "'stream' must be a boolean"),
        invalid("stream_options not an object", CHAT,
            "{\"model\":\"m\",\"stream\":true,\"stream_options\":true," + MSGS + "}", "stream_options",
            "'stream_options' must be an object"),
        invalid("stream_options without stream", CHAT,
            "{\"model\":\"m\",\"stream_options\":{\"include_usage\":true}," + MSGS + "}", "stream_options",
            "'stream_options' is only allowed when 'stream' is true"),
        invalid("stream_options with stream false", CHAT,
            "{\"model\":\"m\",\"stream\":false,\"stream_options\":{}," + MSGS + "}", "stream_options",
            "'stream_options' is only allowed when 'stream' is true"),
        invalid("include_usage a string", CHAT,
            "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":\"yes\"}," + MSGS + "}",
            "stream_options.include_usage", "'stream_options.include_usage' must be a boolean"),
        // --- counts
        invalid("n zero", CHAT, "{\"model\":\"m\",\"n\":0," + MSGS + "}", "n", "'n' must be at least 1"),
        invalid("n a string", CHAT, "{\"model\":\"m\",\"n\":\"2\"," + MSGS + "}", "n", "'n' must be an integer"),
        invalid("max_tokens negative", CHAT, "{\"model\":\"m\",\"max_tokens\":-5," + MSGS + "}", "max_tokens",
            "'max_tokens' must be at least 1"),
        invalid("max_tokens fractional", CHAT, "{\"model\":\"m\",\"max_tokens\":1.5," + MSGS + "}", "max_tokens",
            "'max_tokens' must be an integer"),
        invalid("max_completion_tokens zero", CHAT, "{\"model\":\"m\",\"max_completion_tokens\":0," + MSGS + "}",
            "max_completion_tokens", "'max_completion_tokens' must be at least 1"),
        // --- messages
        invalid("messages missing", CHAT, "{\"model\":\"m\"}", "messages", "missing required field 'messages'"),
        invalid("messages null", CHAT, "{\"model\":\"m\",\"messages\":null}", "messages",
            "missing required field 'messages'"),
        invalid("messages an object", CHAT, "{\"model\":\"m\",\"messages\":{}}", "messages",
            "'messages' must be an array"),
        invalid("messages empty", CHAT, "{\"model\":\"m\",\"messages\":[]}", "messages",
            "'messages' must contain at least one message"),
        invalid("message a string", CHAT, "{\"model\":\"m\",\"messages\":[\"hi\"]}", "messages[0]",
            "'messages[0]' must be an object"),
        invalid("second message without role", CHAT,
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"content\":\"b\"}]}",
            "messages[1].role", "missing required field 'messages[1].role'"),
        invalid("role a number", CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":1,\"content\":\"a\"}]}",
            "messages[0].role", "'messages[0].role' must be a string"),
        invalid("content a number", CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
            "messages[0].content", "'messages[0].content' must be a string or an array of content parts"),
        invalid("content an object", CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{}}]}",
            "messages[0].content", "'messages[0].content' must be a string or an array of content parts"),
        // --- completions and embeddings
        invalid("completion without prompt", COMPLETIONS, "{\"model\":\"m\"}", "prompt",
            "missing required field 'prompt'"),
        invalid("completion prompt a number", COMPLETIONS, "{\"model\":\"m\",\"prompt\":3}", "prompt",
            "'prompt' must be a string or an array"),
        invalid("embedding without input", EMBEDDINGS, "{\"model\":\"m\"}", "input", "missing required field 'input'"),
        invalid("embedding input an object", EMBEDDINGS, "{\"model\":\"m\",\"input\":{}}", "input",
            "'input' must be a string or an array"),
        invalid("streamed embedding", EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", "stream",
            "embeddings cannot be streamed"),
        // --- JSON syntax
        argumentSet("trailing second object", CHAT, "{\"model\":\"m\"," + MSGS + "}{}", "invalid_json", null,
            "request body is not valid JSON: unexpected content after the JSON object"),
        argumentSet("empty body", CHAT, "", "invalid_json", null, "request body is not valid JSON: the body is empty"));
  }

  @ParameterizedTest
  @MethodSource("badBodies")
  void rejectsBadBodies(Endpoint endpoint, String body, String code, String param, String message) {
    ApiError error = rejected(endpoint, body);
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.param()).isEqualTo(param);
    assertThat(error.message()).isEqualTo(message);
    assertThat(error.retryAfterSeconds()).isEqualTo(-1);
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        argumentSet("truncated", "{\"model\":\"m\","),
        argumentSet("not JSON", "model=gpt-4o"),
        argumentSet("single quotes", "{'model':'m'}"),
        argumentSet("trailing comma", "{\"model\":\"m\",}"),
        argumentSet("duplicate field", "{\"model\":\"a\",\"model\":\"b\"," + MSGS + "}"),
        argumentSet("garbage after the object", "{\"model\":\"m\"," + MSGS + "} x"));
  }

  @ParameterizedTest
  @MethodSource("syntaxErrors")
  void rejectsInvalidJsonWithItsLocation(String body) {
    ApiError error = rejected(CHAT, body);
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.code()).isEqualTo("invalid_json");
    assertThat(error.param()).isNull();
    assertThat(error.message()).startsWith("request body is not valid JSON: ").containsPattern("at line \\d+, column \\d+$");
  }

  @Test
  void duplicateFieldNamesTheField() {
    assertThat(rejected(CHAT, "{\"model\":\"a\",\"model\":\"b\"," + MSGS + "}").message()).contains("'model'");
  }

  @Test
  void nullBufferIsAnEmptyBody() {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> decoder.decode(CHAT, null));
    assertThat(e.error().code()).isEqualTo("invalid_json");
    assertThat(e.getMessage()).isEqualTo("request body is not valid JSON: the body is empty");
  }

  // ---------------------------------------------------------------- good bodies

  @Test
  void decodesAPlainChatRequest() {
    OpenAiRequest r = decode(CHAT, "{\"model\":\"gpt-4o-mini\"," + MSGS + ",\"temperature\":0.2}");
    assertThat(r.endpoint()).isEqualTo(CHAT);
    assertThat(r.model()).isEqualTo("gpt-4o-mini");
    assertThat(r.stream()).isFalse();
    assertThat(r.clientWantsUsage()).isFalse();
    assertThat(r.body().get("temperature").asDouble()).isEqualTo(0.2);
  }

  @Test
  void decodesAStreamWithoutUsage() {
    OpenAiRequest r = decode(CHAT, "{\"model\":\"m\",\"stream\":true," + MSGS + "}");
    assertThat(r.stream()).isTrue();
    assertThat(r.clientWantsUsage()).isFalse();
  }

  @Test
  void decodesAStreamWhoseClientWantsUsage() {
    OpenAiRequest r = decode(CHAT, "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + MSGS + "}");
    assertThat(r.stream()).isTrue();
    assertThat(r.clientWantsUsage()).isTrue();
  }

  @Test
  void includeUsageFalseOrAbsentOrNullMeansNoUsage() {
    for (String options : new String[] {"{\"include_usage\":false}", "{}", "{\"include_usage\":null}", "null"}) {
      OpenAiRequest r = decode(CHAT, "{\"model\":\"m\",\"stream\":true,\"stream_options\":" + options + "," + MSGS + "}");
      assertThat(r.clientWantsUsage()).as(options).isFalse();
    }
  }

  @Test
  void nullStreamAndNullStreamOptionsAreAbsent() {
    OpenAiRequest r = decode(CHAT, "{\"model\":\"m\",\"stream\":null,\"stream_options\":null," + MSGS + "}");
    assertThat(r.stream()).isFalse();
    assertThat(r.clientWantsUsage()).isFalse();
  }

  @Test
  void acceptsContentPartsNullContentAndToolMessages() {
    OpenAiRequest r = decode(CHAT, """
        {"model":"m","n":2,"max_tokens":100,"max_completion_tokens":50,"messages":[
          {"role":"system","content":"be brief"},
          {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:x"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function",
            "function":{"name":"f","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"c","content":"42"}]}
        """);
    assertThat(r.body().get("messages")).hasSize(4);
  }

  @Test
  void unknownFieldsPassThroughUntouched() {
    String body = "{\"model\":\"m\"," + MSGS + ",\"x_vendor\":{\"deep\":[1,{\"k\":null}]},\"seed\":7}";
    OpenAiRequest r = decode(CHAT, body);
    assertThat(r.body().toString()).isEqualTo(body);
  }

  @Test
  void decodesCompletionsAndEmbeddings() {
    assertThat(decode(COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"once upon\",\"stream\":true}").stream()).isTrue();
    assertThat(decode(COMPLETIONS, "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}").model()).isEqualTo("m");
    OpenAiRequest e = decode(EMBEDDINGS, "{\"model\":\"text-embedding-3-small\",\"input\":[[1,2,3]]}");
    assertThat(e.endpoint()).isEqualTo(EMBEDDINGS);
    assertThat(e.stream()).isFalse();
    assertThat(decode(EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\",\"stream\":false}").stream()).isFalse();
  }

  @Test
  void messagesAreNotRequiredOutsideChat() {
    assertThat(decode(COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\"}").body().has("messages")).isFalse();
  }

  @Test
  void surroundingWhitespaceIsFine() {
    assertThat(decode(CHAT, "\n  {\"model\":\"m\"," + MSGS + "}  \n").model()).isEqualTo("m");
  }

  private OpenAiRequest decode(Endpoint endpoint, String body) {
    return decoder.decode(endpoint, Buffer.buffer(body));
  }

  private ApiError rejected(Endpoint endpoint, String body) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> decode(endpoint, body));
    assertThat(e).as("expected %s to be rejected", body).isNotNull();
    assertThat(e.getMessage()).isEqualTo(e.error().message());
    return e.error();
  }
}
