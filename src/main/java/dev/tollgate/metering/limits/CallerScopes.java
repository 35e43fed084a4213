package dev.tollgate.metering.limits;

import dev.tollgate.access.Caller;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The scopes one call is counted against, narrowest first: its key, its user (when there is one)
 * and its team. The order is the order admission takes from them and the order of refusal messages.
 */
public record CallerScopes(String keyId, Optional<String> userId, String teamId) {
  public CallerScopes {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(teamId, "teamId");
  }

  /** The scopes of an authenticated caller. */
  public static CallerScopes of(Caller caller) {
    return new CallerScopes(caller.keyId(), caller.userId(), caller.teamId());
  }

  public List<Scope> scopes() {
    return userId.map(user -> List.of(Scope.key(keyId), Scope.user(user), Scope.team(teamId)))
        .orElseGet(() -> List.of(Scope.key(keyId), Scope.team(teamId)));
  }
}
