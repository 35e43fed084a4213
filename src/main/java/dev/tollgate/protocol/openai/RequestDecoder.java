package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.provider.Endpoint;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;

/**
 * Parses and checks an OpenAI-format request body: the fields the gateway relies on must be present
 * and of the right type, and every error names the field. Fields it does not know pass through
 * untouched. Thread-safe.
 */
public final class RequestDecoder {
  private final ObjectMapper json = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** The body as one JSON object, or a 400 saying what is wrong with it (any API's body, not only OpenAI's). */
  public ObjectNode parseObject(Buffer raw) {
    if (raw == null || raw.length() == 0) {
      throw ApiError.invalidJson("the body is empty").exception();
    }
    JsonNode root;
    try (JsonParser parser = json.createParser(raw.getBytes())) {
      root = json.readTree(parser);
      if (parser.nextToken() != null) {
        throw ApiError.invalidJson("unexpected content after the JSON object").exception();
      }
    } catch (JacksonException e) {
      throw ApiError.invalidJson(e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr())).exception();
    } catch (java.io.IOException e) {
      throw ApiError.invalidJson(e.getMessage()).exception();
    }
    if (!(root instanceof ObjectNode body)) {
      throw ApiError.invalidRequest("the request body must be a JSON object", null).exception();
    }
    return body;
  }

  public OpenAiRequest decode(Endpoint endpoint, Buffer raw) {
    ObjectNode body = parseObject(raw);
    String model = requiredString(body, "model");
    boolean stream = optionalBoolean(body, "stream");
    boolean clientWantsUsage = false;
    JsonNode options = body.get("stream_options");
    if (options != null && !options.isNull()) {
      if (!options.isObject()) {
        throw wrongType("stream_options", "an object");
      }
      if (!stream) {
        throw ApiError.invalidRequest("'stream_options' is only allowed when 'stream' is true", "stream_options")
            .exception();
      }
      JsonNode include = options.get("include_usage");
      if (include != null && !include.isNull() && !include.isBoolean()) {
        throw wrongType("stream_options.include_usage", "a boolean");
      }
      clientWantsUsage = include != null && include.asBoolean(false);
    }
    positiveInteger(body, "n");
    positiveInteger(body, "max_tokens");
    positiveInteger(body, "max_completion_tokens");
    switch (endpoint) {
      case CHAT_COMPLETIONS -> checkMessages(body);
      case COMPLETIONS -> checkPresent(body, "prompt", "a string or an array");
      case EMBEDDINGS -> {
        checkPresent(body, "input", "a string or an array");
        if (stream) {
          throw ApiError.invalidRequest("embeddings cannot be streamed", "stream").exception();
        }
      }
    }
    return new OpenAiRequest(endpoint, body, model, stream, clientWantsUsage);
  }

  private static String requiredString(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw missing(field);
    }
    if (!v.isTextual()) {
      throw wrongType(field, "a string");
    }
    if (v.asText().isBlank()) {
      throw ApiError.invalidRequest("'" + field + "' must not be empty", field).exception();
    }
    return v.asText();
  }

  private static boolean optionalBoolean(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw wrongType(field, "a boolean");
    }
    return v.asBoolean();
  }

  private static void positiveInteger(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return;
    }
    if (!v.isIntegralNumber()) {
      throw wrongType(field, "an integer");
    }
    if (v.asLong() < 1) {
      throw ApiError.invalidRequest("'" + field + "' must be at least 1", field).exception();
    }
  }

  private static void checkPresent(ObjectNode body, String field, String expected) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw missing(field);
    }
    if (!v.isTextual() && !v.isArray()) {
      throw wrongType(field, expected);
    }
  }

  private static void checkMessages(ObjectNode body) {
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      throw missing("messages");
    }
    if (!messages.isArray()) {
      throw wrongType("messages", "an array");
    }
    if (messages.isEmpty()) {
      throw ApiError.invalidRequest("'messages' must contain at least one message", "messages").exception();
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String path = "messages[" + i + "]";
      if (!m.isObject()) {
        throw wrongType(path, "an object");
      }
      JsonNode role = m.get("role");
      if (role == null || role.isNull()) {
        throw missing(path + ".role");
      }
      if (!role.isTextual()) {
        throw wrongType(path + ".role", "a string");
      }
      JsonNode content = m.get("content");
      if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
        throw wrongType(path + ".content", "a string or an array of content parts");
      }
    }
  }

  private static RuntimeException missing(String field) {
    return ApiError.invalidRequest("missing required field '" + field + "'", field).exception();
  }

  private static RuntimeException wrongType(String field, String expected) {
    return ApiError.invalidRequest("'" + field + "' must be " + expected, field).exception();
  }
}
