package dev.tollgate.config;

import java.util.Optional;

/**
 * What cloud providers need beyond a URL and a key.
 *
 * @param region AWS region (Bedrock); empty elsewhere
 * @param awsAccessKeyId explicit AWS credentials; empty to take them from the environment
 * @param defaultMaxTokens sent to providers that require an output cap (Anthropic, Bedrock) when the
 *     caller gave none
 * @param vertex Vertex AI's project, location, model publisher and service-account key; null elsewhere
 */
public record CloudSettings(String region, Optional<String> awsAccessKeyId, Optional<Secret> awsSecretAccessKey,
    Optional<Secret> awsSessionToken, int defaultMaxTokens, Vertex vertex) {

  /** Settings of a provider that is not on Vertex. */
  public CloudSettings(String region, Optional<String> awsAccessKeyId, Optional<Secret> awsSecretAccessKey,
      Optional<Secret> awsSessionToken, int defaultMaxTokens) {
    this(region, awsAccessKeyId, awsSecretAccessKey, awsSessionToken, defaultMaxTokens, null);
  }

  public static final CloudSettings NONE = new CloudSettings("", Optional.empty(), Optional.empty(), Optional.empty(),
      4096, null);

  /**
   * Where a Vertex AI provider's models live and how to authenticate.
   *
   * @param publisher {@code google} (Gemini) or {@code anthropic} (Claude)
   * @param serviceAccountKey the service account's JSON key
   */
  public record Vertex(String project, String location, String publisher, Secret serviceAccountKey) {}
}
