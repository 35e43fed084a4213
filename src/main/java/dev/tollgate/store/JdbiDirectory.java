package dev.tollgate.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.directory.Team;
import dev.tollgate.access.directory.User;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link Directory} over SQL that runs unchanged on SQLite and PostgreSQL. */
public final class JdbiDirectory implements Directory {
  private static final String USER_COLUMNS = "u.id, u.org_id, u.email, u.name, u.role, u.idp_issuer, u.idp_subject, "
      + "u.disabled_at, u.created_at, u.updated_at";

  private final Jdbi jdbi;

  public JdbiDirectory(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  // ------------------------------------------------------------------ organisations

  @Override
  public void insert(Organization org) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO organizations (id, name, created_at) VALUES (:id, :name, :at)")
        .bind("id", org.id()).bind("name", org.name()).bind("at", org.createdAt().toEpochMilli()).execute());
  }

  @Override
  public Optional<Organization> organization(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id, name, created_at FROM organizations WHERE id = :id")
        .bind("id", id).map(JdbiDirectory::org).findOne());
  }

  @Override
  public Page<Organization> organizations(Scope scope, Page.Request page) {
    PagedSelect sql = new PagedSelect("SELECT id, name, created_at FROM organizations WHERE 1 = 1");
    scope.orgId().ifPresent(org -> sql.and("id = :org", "org", org));
    return sql.page(jdbi, "id", page, JdbiDirectory::org, Organization::id);
  }

  // ------------------------------------------------------------------ teams

  @Override
  public void insert(Team team) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO teams (id, org_id, name, metadata, created_at) "
            + "VALUES (:id, :org, :name, :metadata, :at)")
        .bind("id", team.id()).bind("org", team.orgId()).bind("name", team.name())
        .bind("metadata", JdbiKeyStore.json(team.metadata())).bind("at", team.createdAt().toEpochMilli())
        .execute());
  }

  @Override
  public Optional<Team> team(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id, org_id, name, metadata, created_at FROM teams WHERE id = :id")
        .bind("id", id).map(JdbiDirectory::team).findOne());
  }

  @Override
  public Page<Team> teams(Scope scope, Optional<String> name, Page.Request page) {
    PagedSelect sql = new PagedSelect("SELECT t.id, t.org_id, t.name, t.metadata, t.created_at FROM teams t WHERE 1 = 1");
    scope.orgId().ifPresent(org -> sql.and("t.org_id = :org", "org", org));
    if (!sql.visible(new Scope(scope.orgId(), scope.teamIds(), Optional.empty()), "t.id IN (<teams>)", null)) {
      return new Page<>(List.of(), Optional.empty());
    }
    name.ifPresent(n -> sql.and("t.name = :name", "name", n));
    return sql.page(jdbi, "t.id", page, JdbiDirectory::team, Team::id);
  }

  @Override
  public boolean update(Team team) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE teams SET name = :name, metadata = :metadata WHERE id = :id")
        .bind("id", team.id()).bind("name", team.name()).bind("metadata", JdbiKeyStore.json(team.metadata()))
        .execute()) > 0;
  }

  @Override
  public boolean deleteTeam(String id) {
    return jdbi.inTransaction(h -> {
      h.createUpdate("DELETE FROM memberships WHERE team_id = :id").bind("id", id).execute();
      return h.createUpdate("DELETE FROM teams WHERE id = :id").bind("id", id).execute() > 0;
    });
  }

  @Override
  public long liveKeysOfTeam(String teamId, Instant now) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE team_id = :team "
            + "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)")
        .bind("team", teamId).bind("now", now.toEpochMilli()).mapTo(Long.class).one());
  }

  // ------------------------------------------------------------------ users

  @Override
  public void insert(User user) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO users (id, org_id, email, name, role, idp_issuer, idp_subject, "
            + "disabled_at, created_at, updated_at) VALUES (:id, :org, :email, :name, :role, :issuer, :subject, "
            + ":disabled, :created, :updated)")
        .bind("id", user.id()).bind("org", user.orgId()).bind("email", user.email())
        .bind("name", user.name().orElse(null)).bind("role", user.role().wire())
        .bind("issuer", user.identity().map(User.ExternalIdentity::issuer).orElse(null))
        .bind("subject", user.identity().map(User.ExternalIdentity::subject).orElse(null))
        .bind("disabled", user.disabledAt().map(Instant::toEpochMilli).orElse(null))
        .bind("created", user.createdAt().toEpochMilli()).bind("updated", user.updatedAt().toEpochMilli())
        .execute());
  }

  @Override
  public Optional<User> user(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.id = :id")
        .bind("id", id).map(JdbiDirectory::user).findOne());
  }

  @Override
  public Optional<User> userByEmail(String email) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.email = :email")
        .bind("email", email).map(JdbiDirectory::user).findOne());
  }

  @Override
  public Optional<User> userByIdentity(User.ExternalIdentity identity) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users u "
            + "WHERE u.idp_issuer = :issuer AND u.idp_subject = :subject")
        .bind("issuer", identity.issuer()).bind("subject", identity.subject()).map(JdbiDirectory::user).findOne());
  }

  @Override
  public Page<User> users(Scope scope, UserFilter filter, Page.Request page) {
    PagedSelect sql = new PagedSelect("SELECT " + USER_COLUMNS + " FROM users u WHERE 1 = 1");
    scope.orgId().ifPresent(org -> sql.and("u.org_id = :org", "org", org));
    if (!sql.visible(scope, "u.id IN (SELECT m.user_id FROM memberships m WHERE m.team_id IN (<teams>))", "u.id")) {
      return new Page<>(List.of(), Optional.empty());
    }
    filter.teamId().ifPresent(t -> sql.and("u.id IN (SELECT m2.user_id FROM memberships m2 WHERE m2.team_id = :team)",
        "team", t));
    filter.email().ifPresent(e -> sql.and("u.email = :email", "email", e));
    filter.role().ifPresent(r -> sql.and("u.role = :role", "role", r.wire()));
    filter.disabled().ifPresent(d -> sql.and(d ? "u.disabled_at IS NOT NULL" : "u.disabled_at IS NULL"));
    return sql.page(jdbi, "u.id", page, JdbiDirectory::user, User::id);
  }

  @Override
  public boolean update(User user) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE users SET email = :email, name = :name, role = :role, "
            + "idp_issuer = :issuer, idp_subject = :subject, disabled_at = :disabled, updated_at = :updated "
            + "WHERE id = :id")
        .bind("id", user.id()).bind("email", user.email()).bind("name", user.name().orElse(null))
        .bind("role", user.role().wire())
        .bind("issuer", user.identity().map(User.ExternalIdentity::issuer).orElse(null))
        .bind("subject", user.identity().map(User.ExternalIdentity::subject).orElse(null))
        .bind("disabled", user.disabledAt().map(Instant::toEpochMilli).orElse(null))
        .bind("updated", user.updatedAt().toEpochMilli())
        .execute()) > 0;
  }

  // ------------------------------------------------------------------ memberships

  @Override
  public void put(Membership m) {
    jdbi.useTransaction(h -> {
      int changed = h.createUpdate("UPDATE memberships SET role = :role WHERE team_id = :team AND user_id = :user")
          .bind("team", m.teamId()).bind("user", m.userId()).bind("role", m.role().wire()).execute();
      if (changed == 0) {
        h.createUpdate("INSERT INTO memberships (team_id, user_id, role, created_at) VALUES (:team, :user, :role, :at)")
            .bind("team", m.teamId()).bind("user", m.userId()).bind("role", m.role().wire())
            .bind("at", m.createdAt().toEpochMilli()).execute();
      }
    });
  }

  @Override
  public boolean removeMembership(String teamId, String userId) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM memberships WHERE team_id = :team AND user_id = :user")
        .bind("team", teamId).bind("user", userId).execute()) > 0;
  }

  @Override
  public List<Membership> membershipsOfTeam(String teamId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT team_id, user_id, role, created_at FROM memberships "
            + "WHERE team_id = :team ORDER BY user_id")
        .bind("team", teamId).map(JdbiDirectory::membership).list());
  }

  @Override
  public List<Membership> membershipsOfUser(String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT team_id, user_id, role, created_at FROM memberships "
            + "WHERE user_id = :user ORDER BY team_id")
        .bind("user", userId).map(JdbiDirectory::membership).list());
  }

  // ------------------------------------------------------------------ mapping

  private static Organization org(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Organization(rs.getString("id"), rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  private static Team team(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Team(rs.getString("id"), rs.getString("org_id"), rs.getString("name"),
        JdbiKeyStore.parse(rs.getString("metadata"), new TypeReference<Map<String, Object>>() {}),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  private static User user(ResultSet rs, StatementContext ctx) throws SQLException {
    String issuer = rs.getString("idp_issuer");
    String subject = rs.getString("idp_subject");
    return new User(rs.getString("id"), rs.getString("org_id"), rs.getString("email"),
        Optional.ofNullable(rs.getString("name")),
        Role.parse(rs.getString("role")).orElseThrow(() -> new IllegalStateException("unknown role in users")),
        issuer == null ? Optional.empty() : Optional.of(new User.ExternalIdentity(issuer, subject)),
        JdbiKeyStore.optionalInstant(rs, "disabled_at"),
        Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  private static Membership membership(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Membership(rs.getString("team_id"), rs.getString("user_id"),
        Role.parse(rs.getString("role")).orElseThrow(() -> new IllegalStateException("unknown role in memberships")),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }
}
