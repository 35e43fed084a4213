package dev.tollgate.access.policy;

import java.util.Optional;
import java.util.Set;

/**
 * What an action is about, as far as the policy cares: its organisation, the teams it belongs to
 * (a key's team; a user's teams; the team a key is created in), and the person who owns it.
 */
public record Target(Optional<String> orgId, Set<String> teamIds, Optional<String> ownerId) {
  public Target {
    teamIds = Set.copyOf(teamIds);
  }

  /** Something global (creating an organisation, the provider list). */
  public static Target global() {
    return new Target(Optional.empty(), Set.of(), Optional.empty());
  }

  public static Target organisation(String orgId) {
    return new Target(Optional.of(orgId), Set.of(), Optional.empty());
  }

  public static Target team(String orgId, String teamId) {
    return new Target(Optional.of(orgId), Set.of(teamId), Optional.empty());
  }

  /** Something in a team that a person owns (a key, its usage). */
  public static Target owned(String orgId, String teamId, Optional<String> ownerId) {
    return new Target(Optional.of(orgId), Set.of(teamId), ownerId);
  }

  /** A user: of an organisation, a member of some teams, owner of themselves. */
  public static Target user(String orgId, Set<String> teamIds, String userId) {
    return new Target(Optional.of(orgId), teamIds, Optional.of(userId));
  }
}
