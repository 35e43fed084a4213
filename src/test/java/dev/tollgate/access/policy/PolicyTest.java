package dev.tollgate.access.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.directory.User;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy decided directly, without HTTP: the rules of its table, case by case. */
class PolicyTest {
  private final Policy policy = new Policy();

  private static Principal.Person person(String id, String org, Role role, Map<String, Role> teams) {
    User user = new User(id, org, id + "@example.com", Optional.empty(), role, Optional.empty(), Optional.empty(),
        Instant.EPOCH, Instant.EPOCH);
    return new Principal.Person(user, teams, Principal.Via.KEY, Optional.empty());
  }

  private final Principal.Person admin = person("admin", "default", Role.ADMIN, Map.of());
  private final Principal.Person auditor = person("auditor", "default", Role.AUDITOR, Map.of());
  private final Principal.Person viewer = person("viewer", "default", Role.VIEWER, Map.of());
  private final Principal.Person teamAdmin = person("lead", "default", Role.MEMBER, Map.of("t1", Role.TEAM_ADMIN));
  private final Principal.Person member = person("dev", "default", Role.MEMBER, Map.of("t1", Role.MEMBER));
  private final Principal.Person otherAdmin = person("boss", "acme", Role.ADMIN, Map.of());

  private static Set<Action> writes() {
    Set<Action> out = EnumSet.noneOf(Action.class);
    for (Action a : Action.values()) {
      if (!a.readOnly()) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  void theMasterKeyMayDoEverything() {
    for (Action a : Action.values()) {
      assertThat(policy.allows(new Principal.Master(), a, Target.team("acme", "t9"))).as(a.name()).isTrue();
      assertThat(policy.allows(new Principal.Master(), a, Target.global())).as(a.name()).isTrue();
    }
    assertThat(policy.scope(new Principal.Master(), Action.KEY_READ)).isEqualTo(Scope.everything());
  }

  @Test
  void nobodyActsInAnotherOrganisationAndOnlyTheMasterKeyCreatesOrganisations() {
    for (Principal.Person p : new Principal.Person[] {admin, auditor, viewer, teamAdmin, member}) {
      for (Action a : Action.values()) {
        assertThat(policy.allows(p, a, Target.owned("acme", "t1", Optional.of(p.user().id()))))
            .as(p.user().id() + " " + a).isFalse();
      }
      assertThat(policy.allows(p, Action.ORGANIZATION_CREATE, Target.global())).isFalse();
    }
  }

  @Test
  void readersReadTheirOrganisationAndChangeNothing() {
    Target anyKey = Target.owned("default", "t2", Optional.of("someone"));
    for (Action a : Action.values()) {
      boolean read = a.readOnly();
      assertThat(policy.allows(auditor, a, anyKey)).as("auditor " + a).isEqualTo(read);
      assertThat(policy.allows(viewer, a, anyKey)).as("viewer " + a)
          .isEqualTo(read && a != Action.AUDIT_READ && a != Action.SECRET_READ);
    }
    assertThat(policy.scope(viewer, Action.USAGE_READ)).isEqualTo(Scope.organisation("default"));
  }

  @Test
  void anAdminMayChangeAnythingInTheOrganisation() {
    for (Action a : writes()) {
      assertThat(policy.allows(admin, a, Target.owned("default", "t2", Optional.of("someone"))))
          .as(a.name()).isEqualTo(a != Action.ORGANIZATION_CREATE);
    }
  }

  @Test
  void aTeamAdminManagesTheirTeamAndNothingElse() {
    Target ownTeamKey = Target.owned("default", "t1", Optional.of("dev"));
    Target otherTeamKey = Target.owned("default", "t2", Optional.of("x"));
    assertThat(policy.allows(teamAdmin, Action.KEY_UPDATE, ownTeamKey)).isTrue();
    assertThat(policy.allows(teamAdmin, Action.KEY_CREATE, Target.owned("default", "t1", Optional.empty()))).isTrue();
    assertThat(policy.allows(teamAdmin, Action.MEMBERSHIP_WRITE, Target.team("default", "t1"))).isTrue();
    assertThat(policy.allows(teamAdmin, Action.USAGE_READ, ownTeamKey)).isTrue();
    assertThat(policy.allows(teamAdmin, Action.KEY_UPDATE, otherTeamKey)).isFalse();
    assertThat(policy.allows(teamAdmin, Action.MEMBERSHIP_WRITE, Target.team("default", "t2"))).isFalse();
    assertThat(policy.allows(teamAdmin, Action.TEAM_UPDATE, Target.team("default", "t1"))).isFalse();
    assertThat(policy.allows(teamAdmin, Action.USER_UPDATE, Target.user("default", Set.of("t1"), "dev"))).isFalse();
    assertThat(policy.allows(teamAdmin, Action.AUDIT_READ, Target.organisation("default"))).isFalse();
    assertThat(policy.scope(teamAdmin, Action.KEY_READ))
        .isEqualTo(new Scope(Optional.of("default"), Optional.of(Set.of("t1")), Optional.of("lead")));
  }

  @Test
  void aMemberHandlesTheirOwnKeysInTheirOwnTeams() {
    assertThat(policy.allows(member, Action.KEY_CREATE, Target.owned("default", "t1", Optional.of("dev")))).isTrue();
    assertThat(policy.allows(member, Action.KEY_CREATE, Target.owned("default", "t2", Optional.of("dev"))))
        .as("not a member of t2").isFalse();
    assertThat(policy.allows(member, Action.KEY_CREATE, Target.owned("default", "t1", Optional.empty())))
        .as("a service account").isFalse();
    assertThat(policy.allows(member, Action.KEY_UPDATE, Target.owned("default", "t1", Optional.of("dev")))).isTrue();
    assertThat(policy.allows(member, Action.KEY_UPDATE, Target.owned("default", "t1", Optional.of("lead"))))
        .as("a teammate's key").isFalse();
    assertThat(policy.allows(member, Action.TEAM_READ, Target.team("default", "t1"))).isTrue();
    assertThat(policy.allows(member, Action.CREDENTIALS_UPDATE, Target.user("default", Set.of("t1"), "dev"))).isTrue();
    assertThat(policy.allows(member, Action.CREDENTIALS_UPDATE, Target.user("default", Set.of("t1"), "lead")))
        .isFalse();
    assertThat(policy.scope(member, Action.KEY_READ))
        .isEqualTo(new Scope(Optional.of("default"), Optional.of(Set.of()), Optional.of("dev")));
    assertThat(policy.scope(member, Action.TEAM_READ).teamIds()).contains(Set.of("t1"));
  }

  @Test
  void gatewayWideThingsBelongToTheOperatorsOrganisationOnly() {
    for (Action a : EnumSet.of(Action.SECRET_READ, Action.SECRET_WRITE, Action.PROVIDER_HEALTH_READ)) {
      assertThat(policy.allows(admin, a, Target.global())).as("default org admin " + a).isTrue();
      assertThat(policy.allows(otherAdmin, a, Target.global())).as("another org's admin " + a).isFalse();
    }
    assertThat(policy.allows(otherAdmin, Action.TEAM_CREATE, Target.organisation("acme"))).isTrue();
  }

  @Test
  void budgetsAreReadLikeUsageAndWrittenByOrganisationAdminsOnly() {
    Target orgBudget = Target.organisation("default");
    Target teamBudget = Target.team("default", "t1");
    Target ownKeyBudget = Target.owned("default", "t1", Optional.of("dev"));
    Target teammatesKeyBudget = Target.owned("default", "t1", Optional.of("lead"));
    Target otherTeamsKeyBudget = Target.owned("default", "t2", Optional.of("x"));
    Target ownUserBudget = Target.user("default", Set.of("t1"), "dev");
    Target[] every = {orgBudget, teamBudget, ownKeyBudget, teammatesKeyBudget, otherTeamsKeyBudget, ownUserBudget};
    for (Target t : every) {
      for (Principal.Person reader : new Principal.Person[] {admin, auditor, viewer}) {
        assertThat(policy.allows(reader, Action.BUDGET_READ, t)).as(reader.user().id() + " reads " + t).isTrue();
      }
      // Reading a budget is reading its entity's spend: whoever may read that usage, and nobody else.
      for (Principal.Person p : new Principal.Person[] {admin, auditor, viewer, teamAdmin, member, otherAdmin}) {
        assertThat(policy.allows(p, Action.BUDGET_READ, t)).as(p.user().id() + " " + t)
            .isEqualTo(policy.allows(p, Action.USAGE_READ, t));
        assertThat(policy.allows(p, Action.BUDGET_WRITE, t)).as(p.user().id() + " writes " + t)
            .isEqualTo(p == admin);
      }
    }
    assertThat(policy.allows(teamAdmin, Action.BUDGET_READ, teamBudget)).isTrue();
    assertThat(policy.allows(teamAdmin, Action.BUDGET_READ, otherTeamsKeyBudget)).isFalse();
    assertThat(policy.allows(teamAdmin, Action.BUDGET_READ, orgBudget)).as("the organisation's spend").isFalse();
    assertThat(policy.allows(member, Action.BUDGET_READ, ownKeyBudget)).isTrue();
    assertThat(policy.allows(member, Action.BUDGET_READ, ownUserBudget)).isTrue();
    assertThat(policy.allows(member, Action.BUDGET_READ, teamBudget)).as("the team's spend").isFalse();
    assertThat(policy.allows(member, Action.BUDGET_READ, teammatesKeyBudget)).isFalse();
    assertThat(policy.scope(teamAdmin, Action.BUDGET_READ)).isEqualTo(policy.scope(teamAdmin, Action.USAGE_READ));
    assertThat(policy.scope(member, Action.BUDGET_READ))
        .isEqualTo(new Scope(Optional.of("default"), Optional.of(Set.of()), Optional.of("dev")));
    assertThat(policy.allows(otherAdmin, Action.BUDGET_WRITE, Target.organisation("acme"))).isTrue();
    assertThat(policy.allows(otherAdmin, Action.BUDGET_WRITE, orgBudget)).as("another organisation").isFalse();
    assertThat(Action.BUDGET_READ.readOnly()).isTrue();
    assertThat(Action.BUDGET_WRITE.readOnly()).isFalse();
  }
}
