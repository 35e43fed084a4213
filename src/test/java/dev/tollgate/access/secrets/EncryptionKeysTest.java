package dev.tollgate.access.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EncryptionKeysTest {
  private static final String K1 = Keys.b64(1);
  private static final String K2 = Keys.b64(2);

  @Test
  void theFirstListedKeyIsCurrentAndTheRestFollowInOrder() {
    EncryptionKeys keys = EncryptionKeys.parse("k2:" + K2 + ",k1:" + K1);
    assertThat(keys.currentId()).isEqualTo("k2");
    assertThat(keys.ids()).containsExactly("k2", "k1");
    assertThat(keys.current().getEncoded()).isEqualTo(Keys.bytes(2, 32));
    assertThat(keys.find("k1").orElseThrow().getEncoded()).isEqualTo(Keys.bytes(1, 32));
    assertThat(keys.find("k3")).isEmpty();
  }

  @Test
  void aBareKeyGetsAStableIdDerivedFromItsFingerprint() {
    EncryptionKeys once = EncryptionKeys.parse(K1);
    EncryptionKeys again = EncryptionKeys.parse("  " + K1 + "\n");
    assertThat(once.currentId()).matches("[0-9a-f]{12}").isEqualTo(again.currentId());
    assertThat(EncryptionKeys.parse(K2).currentId()).isNotEqualTo(once.currentId());
    // A bare key can stay listed, under the same id, after a new named key is put first.
    assertThat(EncryptionKeys.parse("k2:" + K2 + ", " + K1).ids()).containsExactly("k2", once.currentId());
  }

  @Test
  void urlSafeBase64AndSpacesAroundEntriesAreAccepted() {
    byte[] material = Keys.bytes(7, 32);
    material[0] = (byte) 0xfb; // forces '-' or '_' into the URL-safe form
    String urlSafe = Base64.getUrlEncoder().encodeToString(material);
    assertThat(urlSafe).containsAnyOf("-", "_");
    EncryptionKeys keys = EncryptionKeys.parse(" a : " + urlSafe + " , b:" + K1);
    assertThat(keys.ids()).containsExactly("a", "b");
    assertThat(keys.current().getEncoded()).isEqualTo(material);
  }

  @Test
  void toStringShowsIdsOnly() {
    EncryptionKeys keys = EncryptionKeys.parse("k2:" + K2 + ",k1:" + K1);
    assertThat(keys.toString()).isEqualTo("EncryptionKeys[current=k2, ids=[k2, k1]]");
  }

  static Stream<Arguments> invalid() {
    String short16 = Base64.getEncoder().encodeToString(Keys.bytes(3, 16));
    String long33 = Base64.getEncoder().encodeToString(Keys.bytes(4, 33));
    return Stream.of(
        Arguments.of("", "is empty (expected: id:BASE64"),
        Arguments.of("   ", "is empty (expected: id:BASE64"),
        Arguments.of(short16, "the key decodes to 16 bytes (expected: 32"),
        Arguments.of("k1:" + long33, "the key decodes to 33 bytes (expected: 32"),
        Arguments.of("k1:" + K1 + ",k0:" + short16, "entry 2: the key decodes to 16 bytes"),
        Arguments.of("k1:" + K1.substring(0, 20) + "!" + K1.substring(21), "the key is not valid base64"),
        Arguments.of("k1:" + K1 + ",", "entry 2: is empty"),
        Arguments.of("k1:" + K1 + ",,k2:" + K2, "entry 2: is empty"),
        Arguments.of("k 1:" + K1, "the key id must be 1 to 32 of A-Z a-z 0-9 _ -"),
        Arguments.of(":" + K1, "the key id must be 1 to 32"),
        Arguments.of("a".repeat(33) + ":" + K1, "the key id must be 1 to 32"),
        Arguments.of("k+1:" + K1, "the key id must be 1 to 32"),
        Arguments.of(K1.substring(0, 10) + ":" + K1.substring(10), "the key is not valid base64"),
        Arguments.of("k1:" + K1 + ",k1:" + K2, "entry 2: key id 'k1' is listed twice"),
        Arguments.of("k1:", "the key decodes to 0 bytes"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void invalidListsAreRefusedWithAMessageThatNeverQuotesKeyMaterial(String spec, String expected) {
    assertThatThrownBy(() -> EncryptionKeys.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected)
        .hasNoCause()
        .satisfies(e -> {
          for (String material : new String[] {K1, K2, K1.substring(0, 10), K1.substring(10, 30)}) {
            assertThat(e.getMessage()).doesNotContain(material);
          }
        });
  }
}
