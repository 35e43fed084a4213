package dev.tollgate.provider.bedrock;

import dev.tollgate.config.Secret;
import java.util.Map;

/**
 * Resolves AWS credentials and the region for a Bedrock provider: explicit configuration first, then
 * the standard environment variables ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}) read from the map it is
 * given, so tests and the composition root decide what the environment is. Thread-safe.
 */
public final class AwsCredentialsSource {
  private final Map<String, String> env;

  public AwsCredentialsSource(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /**
   * The configured key pair when one is given (both halves, or neither), else the environment's.
   * A configured pair never borrows a session token from the environment: mixing the two would sign
   * with a token that belongs to other keys.
   *
   * @throws IllegalStateException naming what is missing
   */
  public AwsCredentials credentials(String accessKeyId, Secret secretAccessKey, Secret sessionToken) {
    boolean hasId = accessKeyId != null && !accessKeyId.isBlank();
    boolean hasSecret = secretAccessKey != null && !secretAccessKey.isEmpty();
    if (hasId != hasSecret) {
      throw new IllegalStateException("configure both the AWS access key id and the secret access key, or neither");
    }
    if (hasId) {
      return new AwsCredentials(accessKeyId, secretAccessKey, sessionToken);
    }
    String envId = value("AWS_ACCESS_KEY_ID");
    String envSecret = value("AWS_SECRET_ACCESS_KEY");
    if (envId == null || envSecret == null) {
      throw new IllegalStateException("no AWS credentials: configure an access key pair or set "
          + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    String envToken = value("AWS_SESSION_TOKEN");
    return new AwsCredentials(envId, new Secret(envSecret), envToken == null ? null : new Secret(envToken));
  }

  /**
   * The configured region, else {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}.
   *
   * @throws IllegalStateException when none is set
   */
  public String region(String configured) {
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    String region = value("AWS_REGION");
    if (region == null) {
      region = value("AWS_DEFAULT_REGION");
    }
    if (region == null) {
      throw new IllegalStateException("no AWS region: configure one or set AWS_REGION");
    }
    return region;
  }

  private String value(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
