package dev.tollgate.access.jwt;

import java.util.Optional;
import java.util.Set;

/**
 * A caller authenticated by a JWT from a trusted issuer.
 *
 * @param user the value of the issuer's user claim ({@code sub} unless configured otherwise)
 * @param team the value of the issuer's team claim, when one is configured and present
 * @param models models the token allows; empty means the token does not restrict them
 */
public record JwtCaller(String issuer, String subject, String user, Optional<String> team, Optional<String> email,
    Set<String> models) {
  public JwtCaller {
    models = Set.copyOf(models);
  }
}
