package dev.tollgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON text, so equal data always gives equal bytes to hash: object members sorted by key
 * (UTF-16 code units, as {@link String#compareTo}), no whitespace, strings escaped minimally
 * ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other characters below U+0020 and unpaired
 * surrogates as a backslash, {@code u} and four lower-case hex digits; everything else literal, written
 * as UTF-8), integers in plain decimal, other numbers as {@link BigDecimal#stripTrailingZeros()} in
 * plain notation ({@code 1.50} is {@code 1.5}, {@code 1e3} is {@code 1000}, {@code 1.0} is {@code 1}).
 * For objects of strings, integers and nulls, which is all the hash envelope holds, this is exactly
 * RFC 8785 (JCS).
 */
final class CanonicalJson {
  /** Numbers whose plain notation would be longer than this are kept in exponent notation. */
  private static final int MAX_PLAIN_SCALE = 1_000;

  private CanonicalJson() {}

  static String write(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          string(members.get(i).getKey(), out);
          out.append(':');
          write(members.get(i).getValue(), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> string(node.textValue(), out);
      case NUMBER -> number(node, out);
      case BOOLEAN -> out.append(node.booleanValue());
      case NULL -> out.append("null");
      case BINARY, POJO, MISSING -> throw new IllegalArgumentException(
          "not JSON data: a " + node.getNodeType() + " node");
    }
  }

  private static void number(JsonNode node, StringBuilder out) {
    if (node.isIntegralNumber()) {
      out.append(node.bigIntegerValue());
      return;
    }
    if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
      throw new IllegalArgumentException("not JSON data: " + node.doubleValue());
    }
    BigDecimal d = node.decimalValue().stripTrailingZeros();
    out.append(Math.abs(d.scale()) > MAX_PLAIN_SCALE ? d.toString() : d.toPlainString());
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            unicodeEscape(c, out);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            // An unpaired surrogate has no UTF-8 form; escaping keeps distinct strings distinct.
            unicodeEscape(c, out);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicodeEscape(char c, StringBuilder out) {
    out.append("\\u").append(String.format("%04x", (int) c));
  }
}
