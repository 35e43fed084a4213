package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Secrets leave before/after JSON whatever their depth or spelling; everything else stays. */
class RedactorTest {
  private final Redactor redactor = new Redactor(List.of("ssn"));

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // input | redacted
      "{\"password\":\"hunter2\",\"name\":\"ada\"} | {\"name\":\"ada\",\"password\":\"[redacted]\"}",
      "{\"a\":{\"b\":[{\"client_secret\":\"s3\"}]}} | {\"a\":{\"b\":[{\"client_secret\":\"[redacted]\"}]}}",
      "{\"clientSecret\":\"x\",\"API-KEY\":\"y\",\"Private_Key\":{\"pem\":\"z\"}} "
          + "| {\"API-KEY\":\"[redacted]\",\"Private_Key\":\"[redacted]\",\"clientSecret\":\"[redacted]\"}",
      "{\"refresh_token\":\"r\",\"totp\":123456,\"totp_secret\":\"JBSW\",\"webhook_secret\":[1,2]} "
          + "| {\"refresh_token\":\"[redacted]\",\"totp\":\"[redacted]\",\"totp_secret\":\"[redacted]\","
          + "\"webhook_secret\":\"[redacted]\"}",
      "{\"aws_secret_access_key\":\"k\",\"aws_access_key_id\":\"AKIA1\",\"password_hash\":\"$argon2id$\"} "
          + "| {\"aws_access_key_id\":\"AKIA1\",\"aws_secret_access_key\":\"[redacted]\","
          + "\"password_hash\":\"[redacted]\"}",
      // key: only when the value looks like a secret
      "{\"key\":\"tg-4f8aQ2xP\",\"sort_key\":\"created_at\",\"key_prefix\":\"tg-AbCd\"} "
          + "| {\"key\":\"[redacted]\",\"key_prefix\":\"tg-AbCd\",\"sort_key\":\"created_at\"}",
      "{\"provider_key\":\"a8f3k2m9q7w1e5r4\",\"idempotency_key\":\"retry 1\",\"key\":7} "
          + "| {\"idempotency_key\":\"retry 1\",\"key\":7,\"provider_key\":\"[redacted]\"}",
      // a cleared secret stays visible as null; configured extra names count too
      "{\"password\":null,\"user\":{\"SSN\":\"123-45-6789\"}} | {\"password\":null,\"user\":{\"SSN\":\"[redacted]\"}}",
      // not secrets
      "{\"max_tokens\":5,\"tokenizer\":\"o200k\",\"keys\":[\"a\"],\"role\":\"admin\"} "
          + "| {\"keys\":[\"a\"],\"max_tokens\":5,\"role\":\"admin\",\"tokenizer\":\"o200k\"}",
      "[{\"token\":\"t\"},\"token\",3] | [{\"token\":\"[redacted]\"},\"token\",3]",
  })
  void redacts(String input, String expected) throws Exception {
    JsonNode in = AuditRows.JSON.readTree(input);
    JsonNode before = in.deepCopy();

    assertThat(CanonicalJson.write(redactor.redact(in))).isEqualTo(expected);
    assertThat(in).as("the argument is not changed").isEqualTo(before);
  }

  @Test
  void nullStaysNull() {
    assertThat(redactor.redact(null)).isNull();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "tg-4f8aQ2xPz, true", "sk-proj-abc, true", "a8f3k2m9q7w1e5r4, true", "0197a0b2-0000-7000, true",
      "created_at, false", "short1, false", "sixteen letters!, false", "with space 1234567890, false", "tg-, false",
  })
  void looksLikeSecret(String value, boolean secret) {
    assertThat(Redactor.looksLikeSecret(value)).isEqualTo(secret);
  }
}
