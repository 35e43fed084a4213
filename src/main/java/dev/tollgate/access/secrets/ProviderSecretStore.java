package dev.tollgate.access.secrets;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code provider_secrets} table, in SQL that runs unchanged on SQLite and PostgreSQL. It stores
 * and returns ciphertexts only; encryption is {@link ProviderSecrets}' job. Every method blocks: call
 * it from a virtual thread. Thread-safe.
 */
public final class ProviderSecretStore {
  private static final String INFO_COLUMNS = "provider, field, key_id, fingerprint, created_at, updated_at, updated_by";

  private final Jdbi jdbi;

  public ProviderSecretStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Where a batch scan resumes: after this row in (provider, field) order. */
  public record Cursor(String provider, String field) {}

  /** A ciphertext to replace, only if the row still holds {@code expected}. */
  public record Rewrite(String provider, SecretField field, String expected, String ciphertext, String keyId) {}

  public Optional<StoredSecret> find(String provider, SecretField field) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + INFO_COLUMNS + ", ciphertext FROM provider_secrets"
            + " WHERE provider = :provider AND field = :field")
        .bind("provider", provider)
        .bind("field", field.wireName())
        .map(ProviderSecretStore::mapStored)
        .findOne());
  }

  /** Metadata of every row in (provider, field) order; the ciphertexts are not even read. */
  public List<SecretInfo> list() {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + INFO_COLUMNS + " FROM provider_secrets"
            + " ORDER BY provider, field")
        .map((rs, ctx) -> mapInfo(rs))
        .list());
  }

  /** Inserts the row, or replaces its value; {@code created_at} of an existing row is kept. */
  public void upsert(StoredSecret row) {
    SecretInfo info = row.info();
    // ON CONFLICT ... DO UPDATE is spelled the same on PostgreSQL and SQLite (3.24+).
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO provider_secrets (" + INFO_COLUMNS + ", ciphertext)"
            + " VALUES (:provider, :field, :key_id, :fingerprint, :created_at, :updated_at, :updated_by, :ciphertext)"
            + " ON CONFLICT (provider, field) DO UPDATE SET ciphertext = excluded.ciphertext,"
            + " key_id = excluded.key_id, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at,"
            + " updated_by = excluded.updated_by")
        .bind("provider", info.provider())
        .bind("field", info.field().wireName())
        .bind("key_id", info.keyId())
        .bind("fingerprint", info.fingerprint())
        .bind("created_at", info.createdAt().toEpochMilli())
        .bind("updated_at", info.updatedAt().toEpochMilli())
        .bind("updated_by", info.updatedBy())
        .bind("ciphertext", row.ciphertext())
        .execute());
  }

  /** Deletes the row; false when there was none. */
  public boolean delete(String provider, SecretField field) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM provider_secrets WHERE provider = :provider"
            + " AND field = :field")
        .bind("provider", provider)
        .bind("field", field.wireName())
        .execute()) > 0;
  }

  /**
   * Up to {@code limit} rows after {@code after} (from the start when empty), in (provider, field)
   * order: a keyset scan, so rows rewritten meanwhile neither repeat nor shift the pages.
   */
  public List<StoredSecret> batch(Optional<Cursor> after, int limit) {
    return jdbi.withHandle(h -> {
      Query query = h.createQuery("SELECT " + INFO_COLUMNS + ", ciphertext FROM provider_secrets"
          + (after.isPresent() ? " WHERE provider > :p OR (provider = :p AND field > :f)" : "")
          + " ORDER BY provider, field LIMIT :limit");
      after.ifPresent(c -> query.bind("p", c.provider()).bind("f", c.field()));
      return query.bind("limit", limit).map(ProviderSecretStore::mapStored).list();
    });
  }

  /**
   * Replaces ciphertexts in one transaction, each only where the row still holds the expected one, so
   * a value set meanwhile is never overwritten with an older one. {@code updated_at/by} are kept:
   * re-encryption does not change the value.
   *
   * @return per rewrite, whether it was applied
   */
  public boolean[] rewrite(List<Rewrite> rewrites) {
    if (rewrites.isEmpty()) {
      return new boolean[0];
    }
    int[] counts = jdbi.inTransaction(h -> {
      PreparedBatch batch = h.prepareBatch("UPDATE provider_secrets SET ciphertext = :ciphertext, key_id = :key_id"
          + " WHERE provider = :provider AND field = :field AND ciphertext = :expected");
      for (Rewrite r : rewrites) {
        batch.bind("ciphertext", r.ciphertext())
            .bind("key_id", r.keyId())
            .bind("provider", r.provider())
            .bind("field", r.field().wireName())
            .bind("expected", r.expected())
            .add();
      }
      return batch.execute();
    });
    boolean[] applied = new boolean[counts.length];
    for (int i = 0; i < counts.length; i++) {
      applied[i] = counts[i] > 0;
    }
    return applied;
  }

  private static StoredSecret mapStored(ResultSet rs, StatementContext ctx) throws SQLException {
    return new StoredSecret(mapInfo(rs), rs.getString("ciphertext"));
  }

  private static SecretInfo mapInfo(ResultSet rs) throws SQLException {
    String field = rs.getString("field");
    return new SecretInfo(
        rs.getString("provider"),
        SecretField.parse(field).orElseThrow(
            () -> new IllegalStateException("provider_secrets holds an unknown field '" + field + "'")),
        rs.getString("key_id"),
        rs.getString("fingerprint"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("updated_by"));
  }
}
