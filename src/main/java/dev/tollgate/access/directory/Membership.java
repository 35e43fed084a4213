package dev.tollgate.access.directory;

import dev.tollgate.access.Role;
import java.time.Instant;

/** A user's place in a team: {@link Role#TEAM_ADMIN} or {@link Role#MEMBER}. */
public record Membership(String teamId, String userId, Role role, Instant createdAt) {
  public Membership {
    if (!role.inTeam()) {
      throw new IllegalArgumentException("'" + role.wire() + "' is not a team role");
    }
  }
}
