package dev.tollgate.access.signin;

import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.directory.Team;
import dev.tollgate.access.directory.User;
import dev.tollgate.access.oidc.VerifiedIdentity;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes the directory agree with what the identity provider says at each sign-in: creates the user on
 * their first one (just in time), and sets their organisation role and team memberships from this
 * sign-in's groups alone, so someone removed from a group at the provider loses what it granted. The
 * provider manages the memberships of its users: one added by hand is replaced at the next sign-in.
 * Blocks: call from a virtual thread.
 */
public final class UserProvisioner {
  /** Organisation roles by precedence: a user in several mapped groups gets the strongest. */
  private static final List<Role> PRECEDENCE = List.of(Role.ADMIN, Role.AUDITOR, Role.VIEWER, Role.MEMBER);

  private final Directory directory;
  private final String orgId;
  private final Map<String, Set<String>> groupRoles;
  private final Map<String, Set<String>> groupTeams;
  private final IdGenerator ids;
  private final Clock clock;

  /**
   * @param groupRoles provider group to roles, as configured: a group granting {@code team_admin} makes
   *     the user team admin of that group's teams (and of no others)
   * @param groupTeams provider group to team names
   */
  public UserProvisioner(Directory directory, String orgId, Map<String, Set<String>> groupRoles,
      Map<String, Set<String>> groupTeams, IdGenerator ids, Clock clock) {
    this.directory = directory;
    this.orgId = orgId;
    this.groupRoles = Map.copyOf(groupRoles);
    this.groupTeams = Map.copyOf(groupTeams);
    this.ids = ids;
    this.clock = clock;
  }

  /** What a sign-in changed, for the audit log. */
  public record Provisioned(User user, boolean created, Optional<User> before, Set<Membership> membershipsBefore,
      Set<Membership> membershipsAfter) {}

  /** The user for this identity, created or brought up to date; empty when an existing account is disabled. */
  public Provisioned apply(VerifiedIdentity identity) {
    User.ExternalIdentity external = new User.ExternalIdentity(identity.issuer(), identity.subject());
    Role role = orgRole(identity.roles());
    Instant now = clock.instant();
    Optional<User> existing = directory.userByIdentity(external);
    String email = identity.email().map(e -> e.toLowerCase(Locale.ROOT))
        .orElse(identity.subject() + "@" + hostOf(identity.issuer()));
    User user;
    boolean created = existing.isEmpty();
    if (existing.isPresent()) {
      User u = existing.get();
      user = new User(u.id(), u.orgId(), email, identity.name().or(u::name), role, Optional.of(external),
          u.disabledAt(), u.createdAt(), now);
      directory.update(user);
    } else {
      // An account made by hand for the same address is taken over, not duplicated: the provider verified it.
      Optional<User> byEmail = directory.userByEmail(email).filter(u -> u.identity().isEmpty());
      if (byEmail.isPresent()) {
        User u = byEmail.get();
        user = new User(u.id(), u.orgId(), email, identity.name().or(u::name), role, Optional.of(external),
            u.disabledAt(), u.createdAt(), now);
        directory.update(user);
        created = false;
        existing = byEmail;
      } else {
        user = new User(ids.next(), orgId, email, identity.name(), role, Optional.of(external), Optional.empty(),
            now, now);
        directory.insert(user);
      }
    }
    Set<Membership> before = Set.copyOf(directory.membershipsOfUser(user.id()));
    // Each group's teams, with team_admin where that same group grants it.
    Map<String, Role> wanted = new java.util.HashMap<>();
    for (String group : identity.groups()) {
      boolean admin = groupRoles.getOrDefault(group, Set.of()).contains(Role.TEAM_ADMIN.wire());
      for (String name : groupTeams.getOrDefault(group, Set.of())) {
        wanted.merge(teamNamed(user.orgId(), name).id(), admin ? Role.TEAM_ADMIN : Role.MEMBER,
            (a, b) -> a == Role.TEAM_ADMIN || b == Role.TEAM_ADMIN ? Role.TEAM_ADMIN : Role.MEMBER);
      }
    }
    for (Membership m : before) {
      if (!wanted.containsKey(m.teamId())) {
        directory.removeMembership(m.teamId(), user.id());
      }
    }
    Map<String, Membership> had = new java.util.HashMap<>();
    before.forEach(m -> had.put(m.teamId(), m));
    for (Map.Entry<String, Role> w : wanted.entrySet()) {
      Membership old = had.get(w.getKey());
      if (old == null || old.role() != w.getValue()) {
        directory.put(new Membership(w.getKey(), user.id(), w.getValue(), old == null ? now : old.createdAt()));
      }
    }
    return new Provisioned(user, created, existing, before, Set.copyOf(directory.membershipsOfUser(user.id())));
  }

  private static Role orgRole(Set<String> roles) {
    for (Role r : PRECEDENCE) {
      if (roles.contains(r.wire())) {
        return r;
      }
    }
    return Role.MEMBER;
  }

  /** The organisation's team with this name, created on first use like the user. */
  private Team teamNamed(String org, String name) {
    Page<Team> found = directory.teams(Scope.organisation(org), Optional.of(name),
        new Page.Request(1, Optional.empty()));
    if (!found.items().isEmpty()) {
      return found.items().getFirst();
    }
    Team team = new Team(ids.next(), org, name, Map.of("provisioned_by", "sso"), clock.instant());
    try {
      directory.insert(team);
      return team;
    } catch (RuntimeException e) {
      // Another sign-in created it meanwhile.
      return directory.teams(Scope.organisation(org), Optional.of(name), new Page.Request(1, Optional.empty()))
          .items().stream().findFirst().orElseThrow(() -> e);
    }
  }

  private static String hostOf(String issuer) {
    try {
      String host = java.net.URI.create(issuer).getHost();
      return host == null ? "sso.invalid" : host;
    } catch (IllegalArgumentException e) {
      return "sso.invalid";
    }
  }
}
