package dev.tollgate.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.ApiKey;
import dev.tollgate.access.KeyStore;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link KeyStore} over SQL that runs unchanged on SQLite and PostgreSQL. */
public final class JdbiKeyStore implements KeyStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "k.id, k.name, k.key_hash, k.key_prefix, k.team_id, k.user_id, k.models, "
      + "k.metadata, k.created_at, k.expires_at, k.revoked_at, k.previous_key_hash, k.previous_valid_until, "
      + "(SELECT u.disabled_at FROM users u WHERE u.id = k.user_id) AS owner_disabled_at";

  private final Jdbi jdbi;

  public JdbiKeyStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public void insert(ApiKey key) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO api_keys (id, name, key_hash, key_prefix, team_id, user_id, "
            + "models, metadata, created_at, expires_at, revoked_at, previous_key_hash, previous_valid_until) VALUES "
            + "(:id, :name, :hash, :prefix, :team, :user, :models, :metadata, :created, :expires, :revoked, "
            + ":previousHash, :previousUntil)")
        .bind("id", key.id())
        .bind("name", key.name())
        .bind("hash", key.keyHash())
        .bind("prefix", key.prefix())
        .bind("team", key.teamId())
        .bind("user", key.userId().orElse(null))
        .bind("models", json(key.models().stream().sorted().toList()))
        .bind("metadata", json(key.metadata()))
        .bind("created", key.createdAt().toEpochMilli())
        .bind("expires", key.expiresAt().map(Instant::toEpochMilli).orElse(null))
        .bind("revoked", key.revokedAt().map(Instant::toEpochMilli).orElse(null))
        .bind("previousHash", key.previous().map(ApiKey.PreviousSecret::keyHash).orElse(null))
        .bind("previousUntil", key.previous().map(p -> p.validUntil().toEpochMilli()).orElse(null))
        .execute());
  }

  @Override
  public Optional<ApiKey> findByHash(String keyHash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys k "
            + "WHERE k.key_hash = :hash OR k.previous_key_hash = :hash")
        .bind("hash", keyHash)
        .map(JdbiKeyStore::map)
        .findFirst());
  }

  @Override
  public Optional<ApiKey> findById(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys k WHERE k.id = :id")
        .bind("id", id)
        .map(JdbiKeyStore::map)
        .findOne());
  }

  @Override
  public Page<ApiKey> list(Scope scope, Filter filter, Page.Request page) {
    PagedSelect sql = new PagedSelect("SELECT " + COLUMNS + " FROM api_keys k JOIN teams t ON t.id = k.team_id "
        + "WHERE 1 = 1");
    scope.orgId().ifPresent(org -> sql.and("t.org_id = :org", "org", org));
    if (!sql.visible(scope, "k.team_id IN (<teams>)", "k.user_id")) {
      return new Page<>(List.of(), Optional.empty());
    }
    filter.teamId().ifPresent(t -> sql.and("k.team_id = :team", "team", t));
    filter.userId().ifPresent(u -> sql.and("k.user_id = :user", "user", u));
    filter.status().ifPresent(status -> {
      long now = filter.now().toEpochMilli();
      sql.and(switch (status) {
        case REVOKED -> "k.revoked_at IS NOT NULL AND :now >= 0";
        case EXPIRED -> "k.revoked_at IS NULL AND k.expires_at IS NOT NULL AND k.expires_at <= :now";
        case ACTIVE -> "k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > :now)";
      }, "now", now);
    });
    return sql.page(jdbi, "k.id", page, JdbiKeyStore::map, ApiKey::id);
  }

  @Override
  public boolean revoke(String id, Instant when) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :when) WHERE id = :id")
        .bind("id", id)
        .bind("when", when.toEpochMilli())
        .execute()) > 0;
  }

  @Override
  public boolean rotate(String id, String newHash, String newPrefix, ApiKey.PreviousSecret previous) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE api_keys SET key_hash = :hash, key_prefix = :prefix, "
            + "previous_key_hash = :previousHash, previous_valid_until = :previousUntil "
            + "WHERE id = :id AND revoked_at IS NULL AND key_hash = :previousHash")
        .bind("id", id)
        .bind("hash", newHash)
        .bind("prefix", newPrefix)
        .bind("previousHash", previous.keyHash())
        .bind("previousUntil", previous.validUntil().toEpochMilli())
        .execute()) > 0;
  }

  private static ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
    String previousHash = rs.getString("previous_key_hash");
    Optional<ApiKey.PreviousSecret> previous = previousHash == null ? Optional.empty()
        : Optional.of(new ApiKey.PreviousSecret(previousHash, Instant.ofEpochMilli(rs.getLong("previous_valid_until"))));
    return new ApiKey(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("key_hash"),
        rs.getString("key_prefix"),
        rs.getString("team_id"),
        Optional.ofNullable(rs.getString("user_id")),
        new LinkedHashSet<>(parse(rs.getString("models"), new TypeReference<List<String>>() {})),
        parse(rs.getString("metadata"), new TypeReference<Map<String, Object>>() {}),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        optionalInstant(rs, "expires_at"),
        optionalInstant(rs, "revoked_at"),
        previous,
        optionalInstant(rs, "owner_disabled_at").isPresent());
  }

  static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serializable as JSON: " + e.getOriginalMessage(), e);
    }
  }

  static <T> T parse(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt JSON column: " + e.getOriginalMessage(), e);
    }
  }
}
