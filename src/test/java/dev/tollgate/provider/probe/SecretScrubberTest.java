package dev.tollgate.provider.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretScrubberTest {
  private final SecretScrubber scrubber = new SecretScrubber(List.of("hunter2-local-key", "hunter2", " "));

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      key hunter2-local-key refused       | key **** refused
      key hunter2 refused                 | key **** refused
      Incorrect API key provided: sk-proj-abc***************xyz9. | Incorrect API key provided: ****.
      sk-ant-api03-AbCdEf_gh-1234         | ****
      id AKIAIOSFODNN7EXAMPLE denied      | id **** denied
      key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOp | key=****
      Credential=X/1, Signature=0123456789abcdef0123456789abcdef | Credential=X/1, Signature=****
      Connection refused: /127.0.0.1:4321 | Connection refused: /127.0.0.1:4321
      the task-force-1234 asked           | the task-force-1234 asked
      """)
  void masksSecretsAndKeyShapes(String text, String expected) {
    assertThat(scrubber.scrub(text)).isEqualTo(expected);
  }

  @Test
  void scrubsBeforeShorteningSoNoFragmentOfASecretSurvives() {
    String text = "x".repeat(20) + " hunter2-local-key";

    assertThat(scrubber.clean(text, 30)).isEqualTo("x".repeat(20) + " ****");
    assertThat(scrubber.clean(text, 10)).isEqualTo("x".repeat(10) + "...");
    assertThat(new SecretScrubber(List.of()).clean("a\n  b\tc", 100)).isEqualTo("a b c");
  }
}
