package dev.tollgate.access.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Base32Test {

  /** RFC 4648 section 10. */
  @ParameterizedTest
  @CsvSource(value = {
      "'',''",
      "f,MY======",
      "fo,MZXQ====",
      "foo,MZXW6===",
      "foob,MZXW6YQ=",
      "fooba,MZXW6YTB",
      "foobar,MZXW6YTBOI======",
  }, emptyValue = "")
  void rfc4648Vectors(String plain, String encoded) {
    byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);
    assertThat(Base32.encodePadded(bytes)).isEqualTo(encoded);
    assertThat(Base32.encode(bytes)).isEqualTo(encoded.replace("=", ""));
    assertThat(Base32.decode(encoded)).isEqualTo(bytes);
    assertThat(Base32.decode(encoded.replace("=", ""))).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mzxw6ytboi", "MZXW 6YTB OI", "mzxw-6ytb-oi", "MZXW6YTBOI======"})
  void decodingForgivesCaseSpacesHyphensAndPadding(String typed) {
    assertThat(Base32.decode(typed)).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
  }

  @ParameterizedTest
  @ValueSource(strings = {"MZXW1", "MZXW8", "MZ!W", "MY==MY", "é"})
  void refusesCharactersOutsideTheAlphabetWithoutEchoingThem(String bad) {
    assertThatThrownBy(() -> Base32.decode(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not Base32 at index")
        .hasMessageNotContaining(bad);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20_260_101})
  void roundTripsRandomBytesOfEveryLength(long seed) {
    Random random = new Random(seed);
    for (int length = 0; length <= 41; length++) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      String encoded = Base32.encode(bytes);
      assertThat(encoded).matches("[A-Z2-7]*").hasSize((length * 8 + 4) / 5);
      assertThat(Base32.decode(encoded)).isEqualTo(bytes);
    }
  }
}
