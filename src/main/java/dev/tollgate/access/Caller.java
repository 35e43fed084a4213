package dev.tollgate.access;

import java.util.Set;

/**
 * Who is calling, once authenticated.
 *
 * @param keyId the virtual key's id, or {@code master} for the master key
 * @param models models the caller may use; empty means every model
 */
public record Caller(String keyId, String keyName, Set<String> models, boolean admin) {
  public static final String MASTER_ID = "master";

  public static Caller master() {
    return new Caller(MASTER_ID, "master key", Set.of(), true);
  }

  public boolean mayUse(String model) {
    return models.isEmpty() || models.contains(model);
  }
}
