package dev.tollgate.access.policy;

import dev.tollgate.access.Role;
import dev.tollgate.access.directory.User;
import java.util.Map;
import java.util.Optional;

/** Who is calling the admin API, once authenticated. */
public sealed interface Principal {

  /** How a person proved who they are. */
  enum Via { SESSION, KEY, JWT }

  /** The actor's id for the audit log. */
  String actorId();

  /** The actor's kind for the audit log: {@code master} or {@code user}. */
  String actorType();

  /** The master key: every action in every organisation. */
  record Master() implements Principal {
    @Override
    public String actorId() {
      return "master";
    }

    @Override
    public String actorType() {
      return "master";
    }
  }

  /**
   * A person, with their organisation role and their role in each of their teams.
   *
   * @param credentialId the key id or session id hash prefix the person came with, for the audit log
   */
  record Person(User user, Map<String, Role> teamRoles, Via via, Optional<String> credentialId) implements Principal {
    public Person {
      teamRoles = Map.copyOf(teamRoles);
    }

    @Override
    public String actorId() {
      return user.id();
    }

    @Override
    public String actorType() {
      return "user";
    }

    public Role role() {
      return user.role();
    }

    public String orgId() {
      return user.orgId();
    }
  }
}
