package dev.tollgate.access.directory;

import dev.tollgate.access.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of organisations, teams, users and memberships. Every method blocks: call it from a
 * virtual thread. Lists are ordered by id and limited to a {@link Scope}.
 */
public interface Directory {

  /** Filters for {@link #users}: each present one narrows the list. */
  record UserFilter(Optional<String> teamId, Optional<String> email, Optional<Role> role, Optional<Boolean> disabled) {}

  void insert(Organization org);

  Optional<Organization> organization(String id);

  Page<Organization> organizations(Scope scope, Page.Request page);

  void insert(Team team);

  Optional<Team> team(String id);

  Page<Team> teams(Scope scope, Optional<String> name, Page.Request page);

  /** Replaces the team's name and metadata; false when no such team. */
  boolean update(Team team);

  /** Deletes a team with no members and no keys; false when no such team. */
  boolean deleteTeam(String id);

  void insert(User user);

  Optional<User> user(String id);

  Optional<User> userByEmail(String email);

  Optional<User> userByIdentity(User.ExternalIdentity identity);

  /** Users of the scope: with team ids, the members of those teams; with a user id, that user alone. */
  Page<User> users(Scope scope, UserFilter filter, Page.Request page);

  /** Replaces the user's name, role, identity and disabled state; false when no such user. */
  boolean update(User user);

  /** Adds or changes a membership. */
  void put(Membership membership);

  /** False when there was no such membership. */
  boolean removeMembership(String teamId, String userId);

  List<Membership> membershipsOfTeam(String teamId);

  List<Membership> membershipsOfUser(String userId);

  /** How many keys a team holds that are not revoked; a team with keys cannot be deleted. */
  long liveKeysOfTeam(String teamId, Instant now);
}
