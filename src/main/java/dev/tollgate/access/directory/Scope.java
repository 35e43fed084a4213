package dev.tollgate.access.directory;

import java.util.Optional;
import java.util.Set;

/**
 * Which rows a list may return, built by the policy and applied by the store, so a filter in a query
 * string can only narrow what the caller may see, never widen it: rows of one organisation (or of
 * every one, for the master key), of some of its teams, plus the rows the caller owns.
 *
 * @param orgId empty for every organisation
 * @param teamIds empty for every team of the organisation; present, the teams whose rows are visible
 * @param ownerId present when the rows this user owns (their keys, their usage, themselves) are
 *     visible too, in whichever team
 */
public record Scope(Optional<String> orgId, Optional<Set<String>> teamIds, Optional<String> ownerId) {
  public Scope {
    teamIds = teamIds.map(Set::copyOf);
  }

  public static Scope everything() {
    return new Scope(Optional.empty(), Optional.empty(), Optional.empty());
  }

  public static Scope organisation(String orgId) {
    return new Scope(Optional.of(orgId), Optional.empty(), Optional.empty());
  }
}
