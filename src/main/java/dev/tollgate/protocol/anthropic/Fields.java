package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.Set;

/**
 * Typed reads of Anthropic JSON that fail with a {@link TranslationException} naming the field's
 * path and saying what was expected and what was found. Absent and JSON null are the same.
 */
final class Fields {
  private Fields() {}

  static String path(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  static TranslationException wrongType(String path, String expected, JsonNode got) {
    return new TranslationException(path, "expected " + expected + ", got " + describe(got));
  }

  static TranslationException missing(String path) {
    return new TranslationException(path, "required field is missing");
  }

  static String describe(JsonNode n) {
    return switch (n.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> n.isIntegralNumber() ? "an integer" : "a number";
      case BOOLEAN -> "a boolean";
      case OBJECT, POJO -> "an object";
      case ARRAY -> "an array";
      case NULL, MISSING -> "null";
      case BINARY -> "binary data";
    };
  }

  /** The field's value, or null when it is absent or JSON null. */
  static JsonNode get(ObjectNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v;
  }

  static ObjectNode object(JsonNode n, String path) {
    if (n instanceof ObjectNode o) {
      return o;
    }
    throw wrongType(path, "an object", n);
  }

  static ArrayNode array(JsonNode n, String path) {
    if (n instanceof ArrayNode a) {
      return a;
    }
    throw wrongType(path, "an array", n);
  }

  static String string(JsonNode n, String path) {
    if (n.isTextual()) {
      return n.textValue();
    }
    throw wrongType(path, "a string", n);
  }

  static String requiredString(ObjectNode o, String field, String parent) {
    JsonNode v = get(o, field);
    if (v == null) {
      throw missing(path(parent, field));
    }
    return string(v, path(parent, field));
  }

  static String optionalString(ObjectNode o, String field, String parent) {
    JsonNode v = get(o, field);
    return v == null ? null : string(v, path(parent, field));
  }

  static Integer optionalInt(ObjectNode o, String field, String parent) {
    JsonNode v = get(o, field);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber()) {
      throw wrongType(path(parent, field), "an integer", v);
    }
    if (!v.canConvertToInt()) {
      throw new TranslationException(path(parent, field), "out of range: " + v.asText());
    }
    return v.intValue();
  }

  static Double optionalNumber(ObjectNode o, String field, String parent) {
    JsonNode v = get(o, field);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      throw wrongType(path(parent, field), "a number", v);
    }
    return v.doubleValue();
  }

  static Boolean optionalBoolean(ObjectNode o, String field, String parent) {
    JsonNode v = get(o, field);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw wrongType(path(parent, field), "a boolean", v);
    }
    return v.booleanValue();
  }

  /** A non-negative count; absent, null or anything else counts as zero (provider usage is advisory). */
  static long count(JsonNode usage, String field) {
    if (usage == null) {
      return 0;
    }
    JsonNode v = usage.get(field);
    return v != null && v.isIntegralNumber() && v.longValue() > 0 ? v.longValue() : 0;
  }

  /** Refuses any non-null field of {@code o} outside {@code known}: the canonical model would lose it. */
  static void onlyKnown(ObjectNode o, Set<String> known, String parent) {
    for (var it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name) && !o.get(name).isNull()) {
        throw new TranslationException(path(parent, name), "field '" + name + "' is not supported here");
      }
    }
  }
}
