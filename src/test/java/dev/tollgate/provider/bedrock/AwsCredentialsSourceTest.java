package dev.tollgate.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where AWS credentials and the region come from: configuration first, then the environment given. */
class AwsCredentialsSourceTest {
  private static final Map<String, String> ENV = Map.of(
      "AWS_ACCESS_KEY_ID", "ASIAENV", "AWS_SECRET_ACCESS_KEY", "env-secret", "AWS_SESSION_TOKEN", "env-token",
      "AWS_REGION", "eu-west-3", "AWS_DEFAULT_REGION", "us-west-2");

  @Test
  void prefersConfiguredKeysAndNeverBorrowsTheEnvironmentsSessionToken() {
    AwsCredentials c = new AwsCredentialsSource(ENV).credentials("AKIACONF", new Secret("conf-secret"), null);
    assertThat(c.accessKeyId()).isEqualTo("AKIACONF");
    assertThat(c.secretAccessKey().value()).isEqualTo("conf-secret");
    assertThat(c.sessionToken()).isNull();

    AwsCredentials withToken = new AwsCredentialsSource(ENV)
        .credentials("ASIACONF", new Secret("conf-secret"), new Secret("conf-token"));
    assertThat(withToken.sessionToken().value()).isEqualTo("conf-token");
  }

  @Test
  void fallsBackToTheEnvironment() {
    AwsCredentials c = new AwsCredentialsSource(ENV).credentials(null, null, null);
    assertThat(c.accessKeyId()).isEqualTo("ASIAENV");
    assertThat(c.secretAccessKey().value()).isEqualTo("env-secret");
    assertThat(c.sessionToken().value()).isEqualTo("env-token");

    AwsCredentials longTerm = new AwsCredentialsSource(Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s",
        "AWS_SESSION_TOKEN", " ")).credentials("", new Secret(""), null);
    assertThat(longTerm.sessionToken()).isNull();
  }

  @Test
  void refusesHalfAKeyPairOrNone() {
    assertThatThrownBy(() -> new AwsCredentialsSource(ENV).credentials("AKIA", null, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("both");
    assertThatThrownBy(() -> new AwsCredentialsSource(Map.of("AWS_ACCESS_KEY_ID", "AKIA")).credentials(null, null, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void resolvesTheRegionInOrder() {
    assertThat(new AwsCredentialsSource(ENV).region("ap-south-1")).isEqualTo("ap-south-1");
    assertThat(new AwsCredentialsSource(ENV).region(null)).isEqualTo("eu-west-3");
    assertThat(new AwsCredentialsSource(Map.of("AWS_DEFAULT_REGION", "us-west-2")).region(" ")).isEqualTo("us-west-2");
    assertThatThrownBy(() -> new AwsCredentialsSource(Map.of()).region(null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("AWS_REGION");
  }
}
