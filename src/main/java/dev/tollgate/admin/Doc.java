package dev.tollgate.admin;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How the OpenAPI document describes one admin route beyond its method, path and summary: its
 * operation id, what a success answers, the query parameters it reads and the body fields it accepts.
 * Paged lists get {@code limit} and {@code after} from {@link OpenApiDocument}; a route never lists them.
 */
public record Doc(String operationId, Answer answer, List<Param> query, List<Field> body) {

  public Doc {
    Objects.requireNonNull(answer, "answer");
    if (operationId == null || !operationId.matches("[a-z][A-Za-z]*")) {
      throw new IllegalArgumentException("operationId: '" + operationId + "' (expected: lowerCamelCase)");
    }
    query = List.copyOf(query);
    body = List.copyOf(body);
    unique(operationId, "query parameter", query.stream().map(Param::name).toList());
    unique(operationId, "body field", body.stream().map(Field::name).toList());
    if (query.stream().anyMatch(p -> p.name().equals("limit") || p.name().equals("after"))) {
      throw new IllegalArgumentException(operationId + ": 'limit' and 'after' come with a paged answer, not as filters");
    }
  }

  private static void unique(String operationId, String what, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name)) {
        throw new IllegalArgumentException(operationId + ": " + what + " '" + name + "' is listed twice");
      }
    }
  }

  /** One object of a component schema, no query, no body: a get or a delete. */
  static Doc one(String operationId, String schema) {
    return new Doc(operationId, new One(schema), List.of(), List.of());
  }

  /** A paged list of a component schema, narrowed by these filters. */
  static Doc list(String operationId, String schema, Param... filters) {
    return new Doc(operationId, new Listing(schema, true), List.of(filters), List.of());
  }

  /** Every item at once, in the list wrapper, with {@code has_more} always false. */
  static Doc unpaged(String operationId, String schema) {
    return new Doc(operationId, new Listing(schema, false), List.of(), List.of());
  }

  /** An operation taking a JSON body of these fields and answering one object of a component schema. */
  static Doc write(String operationId, String schema, Field... fields) {
    return new Doc(operationId, new One(schema), List.of(), List.of(fields));
  }

  /** A streamed download: each media type with the schema of what it carries. */
  static Doc download(String operationId, String description, Map<String, Schema> media, Param... params) {
    return new Doc(operationId, new Download(description, media), List.of(params), List.of());
  }

  static Param param(String name, Schema schema, String description) {
    return new Param(name, schema, description);
  }

  static Field required(String name, Schema schema, String description) {
    return new Field(name, schema, true, description);
  }

  static Field optional(String name, Schema schema, String description) {
    return new Field(name, schema, false, description);
  }

  /** The names of the body fields: what {@link Body} accepts. */
  public Set<String> bodyFields() {
    return body.stream().map(Field::name).collect(Collectors.toUnmodifiableSet());
  }

  /** What a successful call answers. */
  public sealed interface Answer permits One, Listing, Download {}

  /** One object of the component schema {@code schema}. */
  public record One(String schema) implements Answer {}

  /** The list wrapper around items of the component schema {@code schema}; paged lists read {@code limit} and {@code after}. */
  public record Listing(String schema, boolean paged) implements Answer {}

  /** A streamed body whose form depends on the request; {@code media} maps each content type to its schema, sorted. */
  public record Download(String description, Map<String, Schema> media) implements Answer {
    public Download {
      media = Collections.unmodifiableMap(new TreeMap<>(media));
    }
  }

  /** A query parameter: optional, as every admin filter is. */
  public record Param(String name, Schema schema, String description) {}

  /** A field of the JSON body. */
  public record Field(String name, Schema schema, boolean required, String description) {}

  /** A JSON Schema (2020-12) for one value, as the document writes it. */
  public record Schema(Map<String, Object> json) {
    public Schema {
      json = Collections.unmodifiableMap(new LinkedHashMap<>(json));
    }

    private static Schema of(Object... keysAndValues) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        m.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
      return new Schema(m);
    }

    static Schema string() {
      return of("type", "string");
    }

    static Schema string(int maxLength) {
      return of("type", "string", "minLength", 1, "maxLength", maxLength);
    }

    static Schema email(int maxLength) {
      return of("type", "string", "format", "email", "maxLength", maxLength);
    }

    static Schema instant() {
      return of("type", "string", "format", "date-time");
    }

    /** A calendar day, 2026-01-31. */
    static Schema date() {
      return of("type", "string", "format", "date");
    }

    /** An amount of US dollars: a decimal string ("12.50") or a JSON number, at most 6 decimals. */
    static Schema usd() {
      return of("type", List.of("string", "number"), "pattern", "^[0-9]+(\\.[0-9]{1,6})?$");
    }

    /** Distinct whole numbers from {@code minimum} to {@code maximum}. */
    static Schema integers(long minimum, long maximum) {
      return of("type", "array", "items", Map.of("type", "integer", "minimum", minimum, "maximum", maximum),
          "uniqueItems", true);
    }

    static Schema integer(long minimum, long maximum) {
      return of("type", "integer", "minimum", minimum, "maximum", maximum);
    }

    static Schema bool() {
      return of("type", "boolean");
    }

    /** A JSON object of caller-defined values, at most {@code maxBytes} serialized. */
    static Schema object(int maxBytes) {
      return of("type", "object", "description", "caller-defined values, at most " + maxBytes + " bytes of JSON");
    }

    static Schema strings() {
      return of("type", "array", "items", Map.of("type", "string", "minLength", 1), "uniqueItems", true);
    }

    static Schema oneOf(String... values) {
      return of("type", "string", "enum", List.of(values));
    }

    /** A reference to {@code #/components/schemas/<name>}. */
    static Schema ref(String name) {
      return of("$ref", OpenApiDocument.SCHEMAS + name);
    }
  }
}
