package dev.tollgate.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An admin request's JSON body, read field by field: every accessor names the field in its 400, and
 * unknown fields are refused, so a typo never silently does nothing.
 */
final class Body {
  private final ObjectNode node;
  private final ObjectMapper json;

  private Body(ObjectNode node, ObjectMapper json) {
    this.node = node;
    this.json = json;
  }

  /** Parses the body, which must be a JSON object whose fields are all among {@code known}. */
  static Body parse(Buffer raw, ObjectMapper json, Set<String> known) {
    JsonNode tree;
    try {
      tree = raw == null || raw.length() == 0 ? null : json.readTree(raw.getBytes());
    } catch (JacksonException e) {
      // Only where, never what: the parser's message quotes the body, which may hold a password.
      var at = e.getLocation();
      throw ApiError.invalidJson(at == null ? "it cannot be parsed"
          : "it cannot be parsed at line " + at.getLineNr() + ", column " + at.getColumnNr()).exception();
    } catch (IOException e) {
      throw ApiError.invalidJson("it cannot be read").exception();
    }
    if (!(tree instanceof ObjectNode object)) {
      throw ApiError.invalidRequest("the request body must be a JSON object", null).exception();
    }
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw ApiError.invalidRequest("unknown field '" + field + "' (known: " + String.join(", ", known.stream()
            .sorted().toList()) + ")", field).exception();
      }
    }
    return new Body(object, json);
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** A required non-blank string of at most {@code max} characters. */
  String string(String field, int max) {
    return optionalString(field, max).orElseThrow(() -> bad(field, "'" + field + "' is required"));
  }

  Optional<String> optionalString(String field, int max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
      throw bad(field, "'" + field + "' must be a non-empty string of at most " + max + " characters");
    }
    return Optional.of(v.asText().strip());
  }

  Optional<Boolean> optionalBoolean(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw bad(field, "'" + field + "' must be true or false");
    }
    return Optional.of(v.booleanValue());
  }

  Optional<Long> optionalLong(String field, long min, long max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw bad(field, "'" + field + "' must be a whole number from " + min + " to " + max);
    }
    return Optional.of(v.longValue());
  }

  /** An array of strings; empty when absent. */
  Set<String> strings(String field) {
    JsonNode v = node.get(field);
    Set<String> out = new LinkedHashSet<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw bad(field, "'" + field + "' must be an array of strings");
    }
    for (JsonNode item : v) {
      if (!item.isTextual() || item.asText().isBlank()) {
        throw bad(field, "'" + field + "' must be an array of non-empty strings");
      }
      out.add(item.asText());
    }
    return out;
  }

  Optional<Instant> optionalInstant(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(v.asText()));
    } catch (DateTimeParseException e) {
      throw bad(field, "'" + field + "' must be an ISO-8601 instant such as 2027-01-01T00:00:00Z");
    }
  }

  /** A JSON object of caller-defined values, at most {@code maxBytes} when serialized; empty when absent. */
  Map<String, Object> object(String field, int maxBytes) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return new LinkedHashMap<>();
    }
    if (!v.isObject()) {
      throw bad(field, "'" + field + "' must be an object");
    }
    if (v.toString().length() > maxBytes) {
      throw bad(field, "'" + field + "' must be at most " + maxBytes + " bytes of JSON");
    }
    return json.convertValue(v, json.getTypeFactory().constructMapType(LinkedHashMap.class, String.class,
        Object.class));
  }

  static RuntimeException bad(String field, String message) {
    return ApiError.invalidRequest(message, field).exception();
  }
}
