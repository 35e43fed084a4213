package dev.tollgate.protocol.openai.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Comparator;

/** Parses JSON text and compares trees, numbers by value ({@code 1} equals {@code 1.0}). */
final class JsonTrees {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Numbers compare by value; everything else by JsonNode's own equality. */
  private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText()));
    }
    return a.equals(b) ? 0 : 1;
  };

  private JsonTrees() {}

  static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertJsonEquals(JsonNode actual, JsonNode expected) {
    assertThat(actual.equals(NUMERIC, expected))
        .as("JSON differs%n actual:   %s%n expected: %s", actual, expected)
        .isTrue();
  }

  static void assertJsonEquals(JsonNode actual, String expected) {
    assertJsonEquals(actual, tree(expected));
  }
}
