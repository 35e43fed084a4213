package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverheadMillisTest {

  @ParameterizedTest
  @CsvSource({"0, 0.000", "400, 0.000", "500, 0.001", "412345, 0.412", "1000000, 1.000", "1050000, 1.050",
      "12345678, 12.346", "-5, 0.000"})
  void formatsNanosAsMillisWithThreeDecimals(long nanos, String expected) {
    assertThat(ProxyHandler.millis(nanos)).isEqualTo(expected);
  }
}
