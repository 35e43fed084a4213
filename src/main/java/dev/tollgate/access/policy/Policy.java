package dev.tollgate.access.policy;

import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.directory.Scope;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides every admin action: no endpoint checks roles by hand. A person acts inside their own
 * organisation only; within it, their organisation role grants actions everywhere, their team roles
 * grant actions on their teams, and everyone may act on what they own. The master key may do
 * everything. Provider credentials and health are shared by every organisation, so only the default
 * organisation (the operators') reaches them. A budget's status is its entity's spend, so budgets are
 * read exactly like usage; only organisation admins define them. Lists are limited by {@link #scope},
 * built from the same rules, so a list never shows a row that {@link #allows} would refuse. Stateless
 * and thread-safe.
 *
 * <table>
 *   <caption>Who may do what</caption>
 *   <tr><th>Role</th><th>Reach</th><th>Actions</th></tr>
 *   <tr><td>admin</td><td>the organisation</td><td>everything but creating organisations (defining budgets
 *       included)</td></tr>
 *   <tr><td>auditor</td><td>the organisation</td><td>every read, the audit log included</td></tr>
 *   <tr><td>viewer</td><td>the organisation</td><td>every read but the audit log and secrets</td></tr>
 *   <tr><td>team_admin</td><td>their teams</td><td>read the team, its members, keys, usage and budgets;
 *       manage members and keys</td></tr>
 *   <tr><td>member</td><td>their teams</td><td>read the team and its members</td></tr>
 *   <tr><td>anyone</td><td>what they own</td><td>read themselves; set their password and second factor;
 *       create, read, rotate and revoke their own keys in their teams; read their own usage and the budgets
 *       of themselves and their keys</td></tr>
 * </table>
 */
public final class Policy {
  /** Actions on what every organisation shares (provider credentials and health). */
  private static final Set<Action> GATEWAY_WIDE = EnumSet.of(Action.SECRET_READ, Action.SECRET_WRITE,
      Action.PROVIDER_HEALTH_READ);
  private static final Set<Action> EVERYONE = EnumSet.of(Action.SELF_READ, Action.ORGANIZATION_READ);
  private static final Map<Role, Set<Action>> ORGANISATION_WIDE = Map.of(
      Role.ADMIN, EnumSet.complementOf(EnumSet.of(Action.ORGANIZATION_CREATE)),
      Role.AUDITOR, readOnlyExcept(),
      Role.VIEWER, readOnlyExcept(Action.AUDIT_READ, Action.SECRET_READ),
      Role.MEMBER, EnumSet.noneOf(Action.class));
  private static final Set<Action> TEAM_ADMIN = EnumSet.of(Action.TEAM_READ, Action.USER_READ,
      Action.MEMBERSHIP_READ, Action.MEMBERSHIP_WRITE, Action.KEY_CREATE, Action.KEY_READ, Action.KEY_UPDATE,
      Action.USAGE_READ, Action.BUDGET_READ);
  private static final Set<Action> TEAM_MEMBER = EnumSet.of(Action.TEAM_READ, Action.MEMBERSHIP_READ);
  private static final Set<Action> OWNER = EnumSet.of(Action.USER_READ, Action.CREDENTIALS_UPDATE, Action.KEY_CREATE,
      Action.KEY_READ, Action.KEY_UPDATE, Action.USAGE_READ, Action.BUDGET_READ);

  private static Set<Action> readOnlyExcept(Action... excluded) {
    Set<Action> out = EnumSet.noneOf(Action.class);
    for (Action a : Action.values()) {
      if (a.readOnly()) {
        out.add(a);
      }
    }
    out.removeAll(Set.of(excluded));
    return out;
  }

  /** Whether {@code principal} may perform {@code action} on {@code target}. */
  public boolean allows(Principal principal, Action action, Target target) {
    return switch (principal) {
      case Principal.Master m -> true;
      case Principal.Person p -> allows(p, action, target);
    };
  }

  private boolean allows(Principal.Person p, Action action, Target target) {
    if (target.orgId().isPresent() && !target.orgId().get().equals(p.orgId())) {
      return false;
    }
    if (GATEWAY_WIDE.contains(action) && !p.orgId().equals(Organization.DEFAULT_ID)) {
      // Providers serve every organisation: only the operators' organisation may see or change them.
      return false;
    }
    if (EVERYONE.contains(action) && action != Action.ORGANIZATION_READ) {
      return true;
    }
    if (action == Action.ORGANIZATION_READ && target.orgId().isPresent()) {
      return true;
    }
    if (ORGANISATION_WIDE.get(p.role()).contains(action)) {
      return true;
    }
    for (String team : target.teamIds()) {
      Role inTeam = p.teamRoles().get(team);
      if (inTeam == Role.TEAM_ADMIN && TEAM_ADMIN.contains(action)) {
        return true;
      }
      if (inTeam != null && TEAM_MEMBER.contains(action)) {
        return true;
      }
    }
    if (OWNER.contains(action) && target.ownerId().equals(Optional.of(p.user().id()))) {
      // A key is created in a team: only one the owner belongs to.
      return action != Action.KEY_CREATE || target.teamIds().stream().allMatch(p.teamRoles()::containsKey);
    }
    return false;
  }

  /** The rows a list for {@code action} may show {@code principal}. */
  public Scope scope(Principal principal, Action action) {
    return switch (principal) {
      case Principal.Master m -> Scope.everything();
      case Principal.Person p -> {
        if (ORGANISATION_WIDE.get(p.role()).contains(action) || action == Action.ORGANIZATION_READ) {
          yield Scope.organisation(p.orgId());
        }
        Set<String> teams = p.teamRoles().entrySet().stream()
            .filter(e -> (e.getValue() == Role.TEAM_ADMIN && TEAM_ADMIN.contains(action))
                || TEAM_MEMBER.contains(action))
            .map(Map.Entry::getKey)
            .collect(Collectors.toUnmodifiableSet());
        Optional<String> owner = OWNER.contains(action) ? Optional.of(p.user().id()) : Optional.empty();
        yield new Scope(Optional.of(p.orgId()), Optional.of(teams), owner);
      }
    };
  }
}
