package dev.tollgate.provider.bedrock;

import dev.tollgate.config.Secret;
import java.util.Objects;

/**
 * An AWS access key pair, with the session token of temporary credentials (STS, SSO, instance
 * roles) or null for long-term keys. Secrets never appear in {@code toString}.
 */
public record AwsCredentials(String accessKeyId, Secret secretAccessKey, Secret sessionToken) {
  public AwsCredentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (accessKeyId.isBlank() || secretAccessKey.isEmpty()) {
      throw new IllegalArgumentException("an AWS access key id and secret access key must not be empty");
    }
    if (sessionToken != null && sessionToken.isEmpty()) {
      sessionToken = null;
    }
  }
}
