package dev.tollgate.config;

import dev.tollgate.access.local.LocalAccountsConfig;

/**
 * How people and programs prove who they are: the master key that administers the gateway (and may
 * call every model), browser sessions, and local accounts.
 */
public record AuthConfig(Secret masterKey, SessionConfig sessions, LocalAccountsConfig local) {

  /** Just a master key, everything else at its defaults. */
  public AuthConfig(Secret masterKey) {
    this(masterKey, SessionConfig.DEFAULTS, LocalAccountsConfig.DEFAULTS);
  }
}
