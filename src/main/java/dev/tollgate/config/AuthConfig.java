package dev.tollgate.config;

import dev.tollgate.access.jwt.JwtSettings;
import dev.tollgate.access.local.LocalAccountsConfig;
import dev.tollgate.access.oidc.OidcSettings;
import java.util.Optional;

/**
 * How people and programs prove who they are: the master key that administers the gateway (and may
 * call every model), browser sessions, local accounts, single sign-on ({@code auth.oidc}) and JWT
 * callers on the data plane ({@code auth.jwt}).
 */
public record AuthConfig(Secret masterKey, SessionConfig sessions, LocalAccountsConfig local,
    Optional<OidcSettings> oidc, Optional<JwtSettings> jwt) {

  /** Just a master key, everything else at its defaults. */
  public AuthConfig(Secret masterKey) {
    this(masterKey, SessionConfig.DEFAULTS, LocalAccountsConfig.DEFAULTS);
  }

  /** No single sign-on and no JWT callers. */
  public AuthConfig(Secret masterKey, SessionConfig sessions, LocalAccountsConfig local) {
    this(masterKey, sessions, local, Optional.empty(), Optional.empty());
  }
}
