package dev.tollgate.config;

import java.util.Optional;

/**
 * What cloud providers need beyond a URL and a key.
 *
 * @param region AWS region (Bedrock); empty elsewhere
 * @param awsAccessKeyId explicit AWS credentials; empty to take them from the environment
 * @param defaultMaxTokens sent to providers that require an output cap (Anthropic, Bedrock) when the
 *     caller gave none
 */
public record CloudSettings(String region, Optional<String> awsAccessKeyId, Optional<Secret> awsSecretAccessKey,
    Optional<Secret> awsSessionToken, int defaultMaxTokens) {

  public static final CloudSettings NONE = new CloudSettings("", Optional.empty(), Optional.empty(), Optional.empty(),
      4096);
}
