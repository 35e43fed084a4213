package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The canonical form the chain hashes, and a hash an outside tool computed from the documented format. */
class CanonicalJsonTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{ \"b\" : 1, \"a\" : [ true, null, \"x\" ] }   | {\"a\":[true,null,\"x\"],\"b\":1}",
      "{\"z\":{\"y\":1,\"x\":2},\"B\":0,\"a\":0}        | {\"B\":0,\"a\":0,\"z\":{\"x\":2,\"y\":1}}",
      "[1.50, 1e3, 1.0, -0.0, 0.000, 2.5E-3, 12345678901234567890] | [1.5,1000,1,0,0,0.0025,12345678901234567890]",
      "\"tab\\tquote\\\" slash/ back\\\\ é ✓ \\u0001\"  | \"tab\\tquote\\\" slash/ back\\\\ é ✓ \\u0001\"",
      "\"\\b\\f\\n\\r\\u001f\\u007f\"                  | \"\\b\\f\\n\\r\\u001f\u007f\"",
      "\"😀\"                                           | \"😀\"",
      "{}                                              | {}",
      "[]                                              | []",
  })
  void writesTheCanonicalForm(String input, String canonical) throws Exception {
    assertThat(CanonicalJson.write(AuditRows.JSON.readTree(input))).isEqualTo(canonical);
  }

  @Test
  void canonicalFormIsAFixedPoint() throws Exception {
    String once = CanonicalJson.write(AuditRows.JSON.readTree("{\"n\":[0.1,1e-7,3.0E+2],\"s\":\"\\u00e9\"}"));
    assertThat(CanonicalJson.write(AuditRows.JSON.readTree(once))).isEqualTo(once);
  }

  @Test
  void anUnpairedSurrogateIsEscapedSoDistinctStringsStayDistinct() {
    assertThat(CanonicalJson.write(JsonNodeFactory.instance.textNode("a\uD800b"))).isEqualTo("\"a\\ud800b\"");
  }

  @Test
  void refusesWhatIsNotJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("nan", Double.NaN);
    assertThatThrownBy(() -> CanonicalJson.write(o)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.write(JsonNodeFactory.instance.binaryNode(new byte[] {1})))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Computed with Python: json.dumps(envelope, sort_keys=True, separators=(',',':'), ensure_ascii=False). */
  @Test
  void theHashMatchesAnIndependentImplementationOfTheDocumentedFormat() {
    AuditRow row = new AuditRow(7, "0197a0b2-0000-7000-8000-000000000007", 1_767_225_600_123L,
        "0197a0b2-0000-7000-8000-0000000000a1", "user", "u-1",
        "Zoë \"Z\" Ünal", "key.create", "key", "k-9", null, "{\"name\":\"ci\\n\",\"n\":1.5}", "req-1\t",
        "127.0.0.1", "ab".repeat(32), null);

    assertThat(CanonicalJson.write(row.envelope())).isEqualTo("{\"action\":\"key.create\",\"actor_display\":"
        + "\"Zoë \\\"Z\\\" Ünal\",\"actor_id\":\"u-1\",\"actor_type\":\"user\",\"after\":"
        + "\"{\\\"name\\\":\\\"ci\\\\n\\\",\\\"n\\\":1.5}\",\"before\":null,"
        + "\"id\":\"0197a0b2-0000-7000-8000-000000000007\",\"org_id\":\"0197a0b2-0000-7000-8000-0000000000a1\","
        + "\"prev_hash\":\"" + "ab".repeat(32) + "\","
        + "\"request_id\":\"req-1\\t\",\"seq\":7,\"source_ip\":\"127.0.0.1\",\"target_id\":\"k-9\","
        + "\"target_type\":\"key\",\"time\":1767225600123}");
    assertThat(row.computeHash()).isEqualTo("2c32e5579fcba9c55217a50c829a8e44aa5a2bf017b8ffd8431c1dca007b8516");
  }

  /** Same Python; a gateway-wide entry hashes {@code "org_id":null}, the key present, not left out. */
  @Test
  void aGatewayWideEntryHashesItsNullOrganisation() {
    AuditRow row = new AuditRow(1, "i", 0, null, "system", null, null, "a", null, null, null, null, null, null,
        AuditRow.GENESIS, null);

    assertThat(CanonicalJson.write(row.envelope())).isEqualTo("{\"action\":\"a\",\"actor_display\":null,"
        + "\"actor_id\":null,\"actor_type\":\"system\",\"after\":null,\"before\":null,\"id\":\"i\",\"org_id\":null,"
        + "\"prev_hash\":\"" + "0".repeat(64) + "\",\"request_id\":null,\"seq\":1,\"source_ip\":null,"
        + "\"target_id\":null,\"target_type\":null,\"time\":0}");
    assertThat(row.computeHash()).isEqualTo("3077b5a10c1cf9c3cfebe060b5d64f0e1640b69962fab264164a33c4736b50c2");
  }

  @Test
  void aNullColumnAndTheTextNullHashDifferently() {
    AuditRow nullBefore = new AuditRow(1, "i", 0, null, "system", null, null, "a", null, null, null, null, null, null,
        AuditRow.GENESIS, null);
    AuditRow textNull = new AuditRow(1, "i", 0, null, "system", null, null, "a", null, null, "null", null, null, null,
        AuditRow.GENESIS, null);
    assertThat(nullBefore.computeHash()).isNotEqualTo(textNull.computeHash());
  }
}
