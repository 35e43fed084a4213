package dev.tollgate.access.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecoveryCodesTest {
  private final RecoveryCodes codes = new RecoveryCodes(new SecureRandom());

  @Test
  void generatesTenDistinctCodesOfEightyBits() {
    List<String> generated = codes.generate();
    assertThat(generated).hasSize(RecoveryCodes.COUNT).doesNotHaveDuplicates()
        .allSatisfy(c -> assertThat(c).matches("[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}"));
  }

  @Test
  void successiveSetsShareNoCode() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      assertThat(seen.addAll(codes.generate())).isTrue();
    }
    assertThat(seen).hasSize(50 * RecoveryCodes.COUNT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abcd-efgh-2345-wxyz", "ABCD-EFGH-2345-WXYZ", "abcd efgh 2345 wxyz", " abcdefgh2345wxyz\n",
      "AbCd-EfGh 2345wxyz"})
  void theDigestIgnoresCaseHyphensAndWhitespace(String typed) {
    assertThat(RecoveryCodes.digest(typed)).isEqualTo(RecoveryCodes.digest("abcd-efgh-2345-wxyz"))
        .matches("[0-9a-f]{64}");
  }

  @Test
  void differentCodesHaveDifferentDigests() {
    assertThat(RecoveryCodes.digest("abcd-efgh-2345-wxyz")).isNotEqualTo(RecoveryCodes.digest("abcd-efgh-2345-wxya"));
  }

  @Test
  void aCodeNeverLooksLikeATotpCode() {
    for (String code : codes.generate()) {
      assertThat(Totp.isCodeShaped(code.strip().replace(" ", ""))).isFalse();
    }
  }
}
