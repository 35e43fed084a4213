package dev.tollgate.access.jwt;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maps the groups (or roles) a token carries at a configured claim path to Tollgate roles and teams.
 * Groups match exactly and case-sensitively (Entra ID sends object ids, Keycloak names); a group may
 * grant several roles and teams, and a user gets the union over all their groups. Immutable.
 *
 * @param groups where the groups are, e.g. {@code groups} or {@code realm_access.roles}
 * @param groupRoles group -> Tollgate roles it grants
 * @param groupTeams group -> teams it makes the user a member of
 */
public record ClaimMapper(ClaimPath groups, Map<String, Set<String>> groupRoles, Map<String, Set<String>> groupTeams) {
  public ClaimMapper {
    groupRoles = copy(groupRoles);
    groupTeams = copy(groupTeams);
  }

  /** The token's groups and what they grant. */
  public record Mapping(List<String> groups, Set<String> roles, Set<String> teams) {
    public Mapping {
      groups = List.copyOf(groups);
      roles = Set.copyOf(roles);
      teams = Set.copyOf(teams);
    }
  }

  public Mapping map(Map<String, Object> claims) {
    List<String> found = groups.values(claims);
    Set<String> roles = new LinkedHashSet<>();
    Set<String> teams = new LinkedHashSet<>();
    for (String group : found) {
      roles.addAll(groupRoles.getOrDefault(group, Set.of()));
      teams.addAll(groupTeams.getOrDefault(group, Set.of()));
    }
    return new Mapping(found.stream().distinct().toList(), roles, teams);
  }

  private static Map<String, Set<String>> copy(Map<String, Set<String>> map) {
    return map.entrySet().stream().collect(
        Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
  }
}
