package dev.tollgate.protocol.openai.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/** Typed reads of JSON fields whose errors name the field's path. */
public final class Fields {
  private Fields() {}

  public static String path(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  public static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /** The field's value, or null when it is absent or JSON null (OpenAI treats both as "not given"). */
  public static JsonNode get(JsonNode parent, String field) {
    JsonNode v = parent.get(field);
    return v == null || v.isNull() ? null : v;
  }

  public static String string(JsonNode parent, String field, String parentPath) {
    JsonNode v = get(parent, field);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw wrongType(path(parentPath, field), "a string");
    }
    return v.asText();
  }

  public static String requiredString(JsonNode parent, String field, String parentPath) {
    String v = string(parent, field, parentPath);
    if (v == null) {
      throw new TranslationException(path(parentPath, field), "'" + path(parentPath, field) + "' is required");
    }
    return v;
  }

  public static Boolean bool(JsonNode parent, String field, String parentPath) {
    JsonNode v = get(parent, field);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw wrongType(path(parentPath, field), "a boolean");
    }
    return v.asBoolean();
  }

  public static Double number(JsonNode parent, String field, String parentPath) {
    JsonNode v = get(parent, field);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      throw wrongType(path(parentPath, field), "a number");
    }
    return v.asDouble();
  }

  public static Integer positiveInt(JsonNode parent, String field, String parentPath) {
    JsonNode v = get(parent, field);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw wrongType(path(parentPath, field), "an integer");
    }
    if (v.asInt() < 1) {
      throw new TranslationException(path(parentPath, field), "'" + path(parentPath, field) + "' must be at least 1");
    }
    return v.asInt();
  }

  public static JsonNode object(JsonNode parent, String field, String parentPath) {
    JsonNode v = get(parent, field);
    if (v != null && !v.isObject()) {
      throw wrongType(path(parentPath, field), "an object");
    }
    return v;
  }

  public static JsonNode array(JsonNode parent, String field, String parentPath) {
    JsonNode v = get(parent, field);
    if (v != null && !v.isArray()) {
      throw wrongType(path(parentPath, field), "an array");
    }
    return v;
  }

  public static TranslationException wrongType(String path, String expected) {
    return new TranslationException(path, "'" + path + "' must be " + expected);
  }

  public static TranslationException unsupported(String path, String why) {
    return new TranslationException(path, "'" + path + "' " + why);
  }

  /** Compact JSON text of a node. */
  public static String text(ObjectMapper json, JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** A JSON text held by the canonical model (schemas, arguments, extensions), parsed back. */
  public static JsonNode parse(ObjectMapper json, String text, String path) {
    try {
      JsonNode node = json.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new TranslationException(path, "'" + path + "' is not JSON");
      }
      return node;
    } catch (IOException e) {
      throw new TranslationException(path, "'" + path + "' is not JSON: " + e.getMessage());
    }
  }

  /** A whole body that must be one JSON object; {@code what} names it in errors. */
  public static JsonNode parseObject(ObjectMapper json, Buffer body, String what) {
    if (body == null || body.length() == 0) {
      throw new TranslationException("", what + " is empty");
    }
    JsonNode node;
    try {
      node = json.readTree(body.getBytes());
    } catch (IOException e) {
      throw new TranslationException("", what + " is not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new TranslationException("", what + " is not a JSON object");
    }
    return node;
  }
}
