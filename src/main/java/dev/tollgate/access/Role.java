package dev.tollgate.access;

import java.util.Locale;
import java.util.Optional;

/**
 * What a person may do. {@link #ADMIN}, {@link #VIEWER}, {@link #AUDITOR} and {@link #MEMBER} are held
 * organisation-wide (a user's role); {@link #TEAM_ADMIN} and {@link #MEMBER} are held in a team (a
 * membership's role).
 */
public enum Role {
  /** Everything in the organisation. */
  ADMIN,
  /** Their teams: members, keys, budgets, usage. */
  TEAM_ADMIN,
  /** Their own keys and usage. */
  MEMBER,
  /** Read-only, everything but the audit log and secrets. */
  VIEWER,
  /** Read-only plus the audit log. */
  AUDITOR;

  /** The name on the wire and in the database: {@code team_admin}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String wire) {
    for (Role r : values()) {
      if (r.wire().equals(wire)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Whether a user may hold this role organisation-wide. */
  public boolean organisationWide() {
    return this != TEAM_ADMIN;
  }

  /** Whether a team membership may carry this role. */
  public boolean inTeam() {
    return this == TEAM_ADMIN || this == MEMBER;
  }
}
