package dev.tollgate.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.ApiKey;
import dev.tollgate.access.KeyStore;
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
  private static final String COLUMNS =
      "id, name, key_hash, key_prefix, models, metadata, created_at, expires_at, revoked_at";

  private final Jdbi jdbi;

  public JdbiKeyStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public void insert(ApiKey key) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO api_keys (" + COLUMNS + ") VALUES "
            + "(:id, :name, :hash, :prefix, :models, :metadata, :created, :expires, :revoked)")
        .bind("id", key.id())
        .bind("name", key.name())
        .bind("hash", key.keyHash())
        .bind("prefix", key.prefix())
        .bind("models", json(key.models().stream().sorted().toList()))
        .bind("metadata", json(key.metadata()))
        .bind("created", key.createdAt().toEpochMilli())
        .bind("expires", key.expiresAt().map(Instant::toEpochMilli).orElse(null))
        .bind("revoked", key.revokedAt().map(Instant::toEpochMilli).orElse(null))
        .execute());
  }

  @Override
  public Optional<ApiKey> findByHash(String keyHash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = :hash")
        .bind("hash", keyHash)
        .map(JdbiKeyStore::map)
        .findOne());
  }

  @Override
  public Optional<ApiKey> findById(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
        .bind("id", id)
        .map(JdbiKeyStore::map)
        .findOne());
  }

  @Override
  public List<ApiKey> list() {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY id")
        .map(JdbiKeyStore::map)
        .list());
  }

  @Override
  public boolean revoke(String id, Instant when) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :when) WHERE id = :id")
        .bind("id", id)
        .bind("when", when.toEpochMilli())
        .execute()) > 0;
  }

  private static ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new ApiKey(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("key_hash"),
        rs.getString("key_prefix"),
        new LinkedHashSet<>(parse(rs.getString("models"), new TypeReference<List<String>>() {})),
        parse(rs.getString("metadata"), new TypeReference<Map<String, Object>>() {}),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        optionalInstant(rs, "expires_at"),
        optionalInstant(rs, "revoked_at"));
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serializable as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T parse(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt JSON column in api_keys: " + e.getOriginalMessage(), e);
    }
  }
}
