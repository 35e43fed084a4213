package dev.tollgate.access;

import java.util.Optional;
import java.util.Set;

/**
 * Who is calling the data plane, once authenticated.
 *
 * @param keyId the virtual key's id, {@code master} for the master key, or {@code jwt:<issuer>:<subject>} for a JWT
 * @param teamId the team billed for the call
 * @param userId the person behind the call; empty for service accounts and the master key
 * @param models models the caller may use; empty means every model
 */
public record Caller(String keyId, String keyName, String teamId, Optional<String> userId, Set<String> models,
    boolean admin) {
  public static final String MASTER_ID = "master";
  /** The team of calls made with the master key and of keys made before teams existed. */
  public static final String DEFAULT_TEAM = "default";

  public Caller {
    models = Set.copyOf(models);
  }

  public static Caller master() {
    return new Caller(MASTER_ID, "master key", DEFAULT_TEAM, Optional.empty(), Set.of(), true);
  }

  public boolean mayUse(String model) {
    return models.isEmpty() || models.contains(model);
  }
}
