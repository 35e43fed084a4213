package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a JSON value against a schema of the OpenAPI document: the subset of JSON Schema 2020-12 the
 * document uses. A keyword it does not know fails the check, so a constraint is never silently skipped.
 */
final class SchemaCheck {
  private static final Set<String> ANNOTATIONS = Set.of("description", "examples", "default", "title");
  private static final Set<String> KEYWORDS = Set.of("$ref", "allOf", "type", "const", "enum", "required",
      "properties", "additionalProperties", "items", "uniqueItems", "format", "minimum", "maximum", "minLength",
      "maxLength", "pattern");

  private final JsonNode document;

  SchemaCheck(JsonNode document) {
    this.document = document;
  }

  /** The problems of {@code value} against {@code schema}, each with its JSON pointer; empty when it conforms. */
  List<String> problems(JsonNode value, JsonNode schema) {
    List<String> out = new ArrayList<>();
    check(value, schema, "", out);
    return out;
  }

  private void check(JsonNode value, JsonNode schema, String at, List<String> out) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String keyword = it.next();
      if (!KEYWORDS.contains(keyword) && !ANNOTATIONS.contains(keyword)) {
        out.add(at + ": the checker does not know the keyword '" + keyword + "'");
      }
    }
    if (schema.has("$ref")) {
      JsonNode target = document.at(schema.get("$ref").asText().substring(1));
      if (target.isMissingNode()) {
        out.add(at + ": unresolved " + schema.get("$ref").asText());
        return;
      }
      check(value, target, at, out);
    }
    for (JsonNode part : schema.path("allOf")) {
      check(value, part, at, out);
    }
    if (schema.has("type") && !typeMatches(value, schema.get("type"))) {
      out.add(at + ": " + value.getNodeType() + " is not " + schema.get("type"));
      return;
    }
    if (schema.has("const") && !schema.get("const").equals(value)) {
      out.add(at + ": " + value + " is not " + schema.get("const"));
    }
    if (schema.has("enum") && !contains(schema.get("enum"), value)) {
      out.add(at + ": " + value + " is not one of " + schema.get("enum"));
    }
    if (value.isObject()) {
      object(value, schema, at, out);
    }
    if (value.isArray()) {
      Set<JsonNode> seen = new HashSet<>();
      int i = 0;
      for (JsonNode item : value) {
        if (schema.has("items")) {
          check(item, schema.get("items"), at + "/" + i, out);
        }
        if (schema.path("uniqueItems").asBoolean() && !seen.add(item)) {
          out.add(at + "/" + i + ": repeats " + item);
        }
        i++;
      }
    }
    if (value.isTextual()) {
      text(value.asText(), schema, at, out);
    }
    if (value.isNumber()) {
      if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
        out.add(at + ": " + value + " < " + schema.get("minimum"));
      }
      if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
        out.add(at + ": " + value + " > " + schema.get("maximum"));
      }
    }
  }

  private void object(JsonNode value, JsonNode schema, String at, List<String> out) {
    for (JsonNode name : schema.path("required")) {
      if (!value.has(name.asText())) {
        out.add(at + ": '" + name.asText() + "' is missing");
      }
    }
    JsonNode properties = schema.path("properties");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String where = at + "/" + field.getKey();
      if (properties.has(field.getKey())) {
        check(field.getValue(), properties.get(field.getKey()), where, out);
      } else if (schema.has("additionalProperties")) {
        JsonNode extra = schema.get("additionalProperties");
        if (extra.isBoolean() && !extra.asBoolean()) {
          out.add(where + ": not allowed");
        } else if (extra.isObject()) {
          check(field.getValue(), extra, where, out);
        }
      }
    }
  }

  private static void text(String s, JsonNode schema, String at, List<String> out) {
    if (schema.has("minLength") && s.length() < schema.get("minLength").asInt()) {
      out.add(at + ": shorter than " + schema.get("minLength"));
    }
    if (schema.has("maxLength") && s.length() > schema.get("maxLength").asInt()) {
      out.add(at + ": longer than " + schema.get("maxLength"));
    }
    if (schema.has("pattern") && !java.util.regex.Pattern.compile(schema.get("pattern").asText()).matcher(s).find()) {
      out.add(at + ": '" + s + "' does not match " + schema.get("pattern"));
    }
    String format = schema.path("format").asText("");
    if (format.equals("date-time")) {
      try {
        Instant.parse(s);
      } catch (DateTimeParseException e) {
        out.add(at + ": '" + s + "' is not a date-time");
      }
    } else if (format.equals("email") && !s.matches("[^@\\s]+@[^@\\s]+")) {
      out.add(at + ": '" + s + "' is not an email address");
    }
  }

  private static boolean typeMatches(JsonNode value, JsonNode type) {
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (typeMatches(value, t)) {
          return true;
        }
      }
      return false;
    }
    return switch (type.asText()) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> throw new IllegalArgumentException("not a JSON Schema type: " + type);
    };
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
