package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Optional;

/** US dollars on the wire: decimal strings with six places, exact, from and to integer micro-dollars. */
final class Usd {
  private Usd() {}

  /** {@code 12345} micros as {@code "0.012345"}. */
  static String format(long micros) {
    return BigDecimal.valueOf(micros, 6).toPlainString();
  }

  /**
   * Micro-dollars of a JSON string ("12.50") or number (12.5) from 0 to {@code maxMicros} with at most
   * six decimals; empty when it is not one.
   */
  static Optional<Long> micros(JsonNode value, long maxMicros) {
    if (value == null || !(value.isTextual() || value.isNumber())) {
      return Optional.empty();
    }
    try {
      BigDecimal micros = (value.isTextual() ? new BigDecimal(value.asText().strip()) : value.decimalValue())
          .movePointRight(6);
      if (micros.signum() < 0 || micros.stripTrailingZeros().scale() > 0
          || micros.compareTo(BigDecimal.valueOf(maxMicros)) > 0) {
        return Optional.empty();
      }
      return Optional.of(micros.longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }
}
