package dev.tollgate.access.secrets;

import dev.tollgate.config.CloudSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider credentials managed through the admin API take the place of the configuration's: a stored
 * {@code api_key} (or AWS key) wins over the YAML value, so the YAML may carry the placeholder
 * {@value #PLACEHOLDER} instead of a secret. Applied when the gateway starts; a provider whose
 * placeholder has no stored value yet starts without a key (its calls and {@code doctor} fail with the
 * provider's authentication error) rather than keeping the gateway down, so the key can be set.
 */
public final class ManagedCredentials {
  private static final Logger log = LoggerFactory.getLogger(ManagedCredentials.class);
  /** The YAML value that says "the key is stored in the database". */
  public static final String PLACEHOLDER = "stored";

  private ManagedCredentials() {}

  /** The providers with their stored credentials in place; {@code secrets} empty when no encryption key is set. */
  public static List<ProviderConfig> apply(List<ProviderConfig> providers, Optional<ProviderSecrets> secrets) {
    List<ProviderConfig> out = new ArrayList<>();
    for (ProviderConfig p : providers) {
      Map<SecretField, Secret> stored = secrets.map(s -> s.resolveAll(p.name())).orElse(Map.of());
      Optional<Secret> apiKey = Optional.ofNullable(stored.get(SecretField.API_KEY)).or(p::apiKey);
      CloudSettings c = p.cloud();
      if (c != null && (stored.containsKey(SecretField.AWS_ACCESS_KEY_ID)
          || stored.containsKey(SecretField.AWS_SECRET_ACCESS_KEY) || stored.containsKey(SecretField.AWS_SESSION_TOKEN))) {
        c = new CloudSettings(c.region(),
            Optional.ofNullable(stored.get(SecretField.AWS_ACCESS_KEY_ID)).map(Secret::value).or(c::awsAccessKeyId),
            Optional.ofNullable(stored.get(SecretField.AWS_SECRET_ACCESS_KEY)).or(c::awsSecretAccessKey),
            Optional.ofNullable(stored.get(SecretField.AWS_SESSION_TOKEN)).or(c::awsSessionToken),
            c.defaultMaxTokens(), c.vertex());
      }
      if (c != null && c.vertex() != null && stored.containsKey(SecretField.CREDENTIALS_JSON)) {
        CloudSettings.Vertex v = c.vertex();
        c = new CloudSettings(c.region(), c.awsAccessKeyId(), c.awsSecretAccessKey(), c.awsSessionToken(),
            c.defaultMaxTokens(), new CloudSettings.Vertex(v.project(), v.location(), v.publisher(),
                stored.get(SecretField.CREDENTIALS_JSON)));
      }
      if (apiKey.map(k -> k.value().equals(PLACEHOLDER)).orElse(false)) {
        log.warn("provider {}: api_key is '{}' but no key is stored for it{}; its calls will fail until one is",
            p.name(), PLACEHOLDER, secrets.isEmpty() ? " (no encryption key is set: TOLLGATE_ENCRYPTION_KEY)"
                : " (PUT /admin/v1/providers/" + p.name() + "/secrets/api_key, then restart)");
      }
      out.add(new ProviderConfig(p.name(), p.type(), p.baseUrl(), apiKey, p.apiVersion(), p.headers(),
          p.allowInsecureUpstream(), p.timeouts(), p.maxConnections(), p.mock(), c, p.nativeResponses()));
    }
    return out;
  }
}
