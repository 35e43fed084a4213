package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.access.ApiKey;
import dev.tollgate.access.KeyStore;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.metering.UsageEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract, run unchanged against SQLite and PostgreSQL (DESIGN: "SQL must run on both").
 * PostgreSQL is one embedded server per class; every test gets a fresh database on it, and every
 * SQLite test a fresh file.
 */
class StoreTest {
  /** Files under db/migration/common; a new migration must be counted here on purpose. */
  private static final int MIGRATIONS = 9;

  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Nested
  class Sqlite extends Contract {
    @TempDir
    Path dir;

    @Override
    String freshUrl() {
      return "jdbc:sqlite:" + dir.resolve("tollgate.db");
    }

    @Override
    String dialect() {
      return "sqlite";
    }

    @Test
    void aCommitIsOnTheDeviceWhenItReturns() {
      // The ledger deletes its log once events are committed here: a commit a power cut can undo loses usage.
      int synchronous = db.jdbi().withHandle(h -> h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one());
      String journal = db.jdbi().withHandle(h -> h.createQuery("PRAGMA journal_mode").mapTo(String.class).one());
      assertThat(synchronous).as("synchronous=FULL (2): the WAL is synced at every commit").isEqualTo(2);
      assertThat(journal).isEqualToIgnoringCase("wal");
    }
  }

  @Nested
  class Postgres extends Contract {
    @Override
    String freshUrl() throws Exception {
      String name = "t_" + UUID.randomUUID().toString().replace("-", "");
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
      return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name + "?user=postgres";
    }

    @Override
    String dialect() {
      return "postgresql";
    }
  }

  abstract static class Contract {
    Database db;
    JdbiKeyStore keys;
    JdbiUsageStore usage;

    abstract String freshUrl() throws Exception;

    abstract String dialect();

    @BeforeEach
    void open() throws Exception {
      db = Database.open(new DatabaseConfig(freshUrl(), 4), null);
      assertThat(db.migrated()).as("a fresh database has pending migrations").isFalse();
      assertThat(db.migrate()).as("every migration applied to a fresh database").isEqualTo(MIGRATIONS);
      keys = new JdbiKeyStore(db.jdbi());
      usage = new JdbiUsageStore(db.jdbi());
    }

    @AfterEach
    void close() {
      if (db != null) {
        db.close();
      }
    }

    // ------------------------------------------------------------ database

    @Test
    void migratesOnceAndPings() {
      assertThat(db.migrated()).isTrue();
      assertThat(db.migrate()).as("a second migrate has nothing to do").isZero();
      assertThat(db.migrated()).isTrue();
      db.ping();
      assertThat(db.dialect()).isEqualTo(dialect());
    }

    @Test
    void pingFailsOnceClosed() {
      db.close();
      assertThatThrownBy(db::ping).isInstanceOf(RuntimeException.class);
    }

    // ------------------------------------------------------------ keys

    @Test
    void insertedKeyIsFoundByHashAndById() {
      ApiKey key = key("k1", "hash-1", Set.of("gpt-4o-mini", "gpt-4o"), Map.of("team", "search"));
      keys.insert(key);

      assertThat(keys.findByHash("hash-1")).contains(key);
      assertThat(keys.findById("k1")).contains(key);
      assertThat(keys.findByHash("hash-2")).isEmpty();
      assertThat(keys.findById("k2")).isEmpty();
    }

    @Test
    void everyFieldRoundTrips() {
      ApiKey key = new ApiKey("k1", "ci pipeline", "hash-1", "tg-AbCdE", "default", Optional.of("u1"),
          Set.of("a", "b", "c"), Map.of("n", 1), Instant.ofEpochMilli(1_700_000_000_123L),
          Optional.of(Instant.ofEpochMilli(1_800_000_000_456L)), Optional.of(Instant.ofEpochMilli(1_750_000_000_789L)),
          Optional.of(new ApiKey.PreviousSecret("hash-0", Instant.ofEpochMilli(1_760_000_000_000L))), false);
      keys.insert(key);
      ApiKey read = keys.findById("k1").orElseThrow();
      assertThat(read).isEqualTo(key);
      assertThat(read.revoked()).isTrue();
      assertThat(read.expiresAt()).contains(Instant.ofEpochMilli(1_800_000_000_456L));
    }

    @Test
    void absentOptionalTimesStayAbsent() {
      keys.insert(key("k1", "hash-1", Set.of(), Map.of()));
      ApiKey read = keys.findById("k1").orElseThrow();
      assertThat(read.expiresAt()).isEmpty();
      assertThat(read.revokedAt()).isEmpty();
      assertThat(read.models()).isEmpty();
      assertThat(read.metadata()).isEmpty();
    }

    @Test
    void metadataWithNestedJsonAndNullsRoundTrips() {
      Map<String, Object> inner = new LinkedHashMap<>();
      inner.put("y", null);
      inner.put("z", false);
      Map<String, Object> nested = new LinkedHashMap<>();
      nested.put("list", new ArrayList<>(List.of(1, "two", 3.5)));
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) nested.get("list");
      list.add(inner);
      list.add(null);
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("team", "search");
      metadata.put("nullable", null);
      metadata.put("nested", nested);
      metadata.put("unicode", "grüße ✓ \"quoted\"");
      metadata.put("big", 12_345_678_901L);

      keys.insert(key("k1", "hash-1", Set.of(), metadata));

      Map<String, Object> read = keys.findById("k1").orElseThrow().metadata();
      assertThat(read).isEqualTo(metadata);
      assertThat(read).containsKey("nullable").containsEntry("nullable", null);
    }

    @Test
    void modelsSetRoundTrips() {
      Set<String> models = Set.of("gpt-4o-mini", "claude-haiku", "text-embedding-3-small", "a model/with:odd\"chars");
      keys.insert(key("k1", "hash-1", models, Map.of()));
      assertThat(keys.findById("k1").orElseThrow().models()).containsExactlyInAnyOrderElementsOf(models);
    }

    @Test
    void listReturnsEveryKeyInIdOrder() {
      keys.insert(key("k2", "hash-2", Set.of(), Map.of()));
      keys.insert(key("k3", "hash-3", Set.of(), Map.of()));
      keys.insert(key("k1", "hash-1", Set.of(), Map.of()));
      assertThat(allKeys()).extracting(ApiKey::id).containsExactly("k1", "k2", "k3");
    }

    @Test
    void listOfAnEmptyStoreIsEmpty() {
      assertThat(allKeys()).isEmpty();
    }

    @Test
    void aFailingStatementDoesNotQuoteItsBoundValues() {
      keys.insert(key("k1", "hash-1", Set.of(), Map.of("token", "secret-bound-value-123")));
      assertThatThrownBy(() -> keys.insert(key("k1", "hash-9", Set.of(), Map.of("token", "secret-bound-value-123"))))
          .isInstanceOf(RuntimeException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-bound-value-123"));
    }

    @Test
    void duplicateIdOrHashIsRefused() {
      keys.insert(key("k1", "hash-1", Set.of(), Map.of()));
      assertThatThrownBy(() -> keys.insert(key("k1", "hash-2", Set.of(), Map.of()))).isInstanceOf(RuntimeException.class);
      assertThatThrownBy(() -> keys.insert(key("k2", "hash-1", Set.of(), Map.of()))).isInstanceOf(RuntimeException.class);
      assertThat(allKeys()).extracting(ApiKey::keyHash).containsExactly("hash-1");
    }

    @Test
    void revokeSetsTheTimeAndASecondRevokeKeepsTheFirst() {
      keys.insert(key("k1", "hash-1", Set.of(), Map.of()));
      keys.insert(key("k2", "hash-2", Set.of(), Map.of()));
      Instant first = Instant.ofEpochMilli(1_750_000_000_000L);

      assertThat(keys.revoke("k1", first)).isTrue();
      assertThat(keys.revoke("k1", first.plusSeconds(60))).isTrue();

      assertThat(keys.findById("k1").orElseThrow().revokedAt()).contains(first);
      assertThat(keys.findByHash("hash-1").orElseThrow().revoked()).isTrue();
      assertThat(keys.findById("k2").orElseThrow().revoked()).as("other keys are untouched").isFalse();
    }

    @Test
    void revokingAnUnknownKeyReturnsFalse() {
      keys.insert(key("k1", "hash-1", Set.of(), Map.of()));
      assertThat(keys.revoke("nope", Instant.now())).isFalse();
      assertThat(keys.findById("k1").orElseThrow().revoked()).isFalse();
    }

    // ------------------------------------------------------------ usage

    @Test
    void insertedEventsRoundTripEveryField() {
      UsageEvent full = new UsageEvent("e1", "req-1", "key-1", "chat.completions", "gpt-4o-mini", "openai/gpt-4o-mini",
          "openai", "gpt-4o-mini-2024-07-18", 1200, 340, 1000, 120, true, 4321, "partial", 200, 1534, 87, true,
          "connection reset", 1_700_000_000_001L);
      UsageEvent sparse = new UsageEvent("e2", "req-2", "key-1", "embeddings", "emb", "local/emb", "local", "emb",
          5, 0, 0, 0, false, 0, "ok", 200, 12, -1, false, null, 1_700_000_000_002L);
      usage.insert(List.of(full, sparse));

      assertThat(usage.findByRequestId("req-1")).containsExactly(full);
      assertThat(usage.findByRequestId("req-2")).containsExactly(sparse);
      assertThat(usage.findByRequestId("req-2").getFirst().ttftMs()).as("no first token is stored as NULL").isEqualTo(-1);
      assertThat(usage.count()).isEqualTo(2);
    }

    @Test
    void storedNamesWhichEventsTheDatabaseHasAcrossQueries() {
      List<UsageEvent> events = new java.util.ArrayList<>();
      for (int i = 0; i < 700; i++) { // past one query's 500 ids
        events.add(event("e" + i, "req-" + i, "key-1", 1000 + i));
      }
      usage.insert(events);
      List<String> asked = new java.util.ArrayList<>();
      for (int i = 0; i < 1200; i += 2) {
        asked.add("e" + i); // e0, e2, ... e1198: the first 350 are stored
      }
      assertThat(usage.stored(asked)).hasSize(350).contains("e0", "e698").doesNotContain("e700", "e1");
      assertThat(usage.stored(List.of())).isEmpty();
    }

    @Test
    void insertingAnEmptyBatchDoesNothing() {
      usage.insert(List.of());
      assertThat(usage.count()).isZero();
    }

    @Test
    void insertsAreIdempotentOnTheEventId() {
      UsageEvent e1 = event("e1", "req-1", "key-1", 1000);
      UsageEvent e2 = event("e2", "req-2", "key-1", 1001);
      usage.insert(List.of(e1));
      usage.insert(List.of(e1));
      usage.insert(List.of(e1, e2));
      usage.insert(List.of(e2, e2));

      assertThat(usage.count()).isEqualTo(2);
      assertThat(usage.findByRequestId("req-1")).containsExactly(e1);
    }

    @Test
    void aReplayedEventDoesNotOverwriteTheStoredOne() {
      UsageEvent original = event("e1", "req-1", "key-1", 1000);
      usage.insert(List.of(original));
      UsageEvent replay = new UsageEvent("e1", "req-1", "key-1", "chat.completions", "m", "d", "p", "u", 999, 999, 0, 0,
          false, 999_999, "ok", 200, 1, 1, false, null, 1000);
      usage.insert(List.of(replay));
      assertThat(usage.findByRequestId("req-1")).containsExactly(original);
    }

    @Test
    void largeBatchesAreStoredWhole() {
      List<UsageEvent> batch = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        batch.add(event(String.format("e%05d", i), "req-" + (i % 7), "key-" + (i % 3), 1000 + i));
      }
      usage.insert(batch);
      assertThat(usage.count()).isEqualTo(1500);
      assertThat(usage.findByRequestId("req-3")).hasSize(1500 / 7 + (3 < 1500 % 7 ? 1 : 0));
    }

    @Test
    void findByRequestIdReturnsEveryEventOfTheRequestInIdOrder() {
      usage.insert(List.of(event("e3", "req-1", "k", 3000), event("e1", "req-1", "k", 1000),
          event("e2", "req-other", "k", 2000), event("e0", "req-1", "k", 5000)));
      assertThat(usage.findByRequestId("req-1")).extracting(UsageEvent::id).containsExactly("e0", "e1", "e3");
      assertThat(usage.findByRequestId("req-none")).isEmpty();
    }

    @Test
    void exportStreamsAHalfOpenTimeWindowInTimeThenIdOrder() {
      usage.insert(List.of(
          event("e5", "r", "key-a", 999),
          event("e4", "r", "key-a", 1000),
          event("e2", "r", "key-b", 1500),
          event("e3", "r", "key-a", 1500),
          event("e1", "r", "key-a", 1999),
          event("e6", "r", "key-a", 2000)));

      List<UsageEvent> all = new ArrayList<>();
      export(1000, 2000, Optional.empty(), all::add);
      assertThat(all).extracting(UsageEvent::id).containsExactly("e4", "e2", "e3", "e1");

      List<UsageEvent> keyA = new ArrayList<>();
      export(1000, 2000, Optional.of("key-a"), keyA::add);
      assertThat(keyA).extracting(UsageEvent::id).containsExactly("e4", "e3", "e1");

      List<UsageEvent> none = new ArrayList<>();
      export(1000, 2000, Optional.of("key-z"), none::add);
      export(3000, 4000, Optional.empty(), none::add);
      assertThat(none).isEmpty();
    }

    @Test
    void exportReturnsFullEvents() {
      UsageEvent e = event("e1", "req-1", "key-1", 1234);
      usage.insert(List.of(e));
      List<UsageEvent> out = new ArrayList<>();
      export(0, Long.MAX_VALUE, Optional.empty(), out::add);
      assertThat(out).containsExactly(e);
    }

    @Test
    void exportStreamsMoreRowsThanOneFetch() {
      List<UsageEvent> batch = new ArrayList<>();
      for (int i = 0; i < 2500; i++) {
        batch.add(event(String.format("e%05d", i), "r", "k", 10_000 + i));
      }
      usage.insert(batch);
      Map<String, Integer> seen = new HashMap<>();
      List<String> order = new ArrayList<>();
      export(0, Long.MAX_VALUE, Optional.of("k"), ev -> {
        seen.merge(ev.id(), 1, Integer::sum);
        order.add(ev.id());
      });
      assertThat(seen).hasSize(2500).allSatisfy((id, n) -> assertThat(n).isOne());
      assertThat(order).isSorted();
    }

    // ------------------------------------------------------------ helpers

    List<ApiKey> allKeys() {
      return keys.list(Scope.everything(), KeyStore.Filter.none(Instant.now()),
          new Page.Request(Page.Request.MAX_LIMIT, Optional.empty())).items();
    }

    void export(long from, long to, Optional<String> keyId, java.util.function.Consumer<UsageEvent> consumer) {
      usage.export(new JdbiUsageStore.ExportQuery(from, to, Scope.everything(), keyId, Optional.empty(),
          Optional.empty(), Optional.empty()), consumer);
    }

    static ApiKey key(String id, String hash, Set<String> models, Map<String, Object> metadata) {
      return new ApiKey(id, "key " + id, hash, "tg-" + id, "default", Optional.empty(), models, metadata,
          Instant.ofEpochMilli(1_700_000_000_000L), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    static UsageEvent event(String id, String requestId, String keyId, long createdAt) {
      return new UsageEvent(id, requestId, keyId, "chat.completions", "gpt-4o-mini", "openai/gpt-4o-mini", "openai",
          "gpt-4o-mini", 10, 5, 2, 1, false, 42, "ok", 200, 100, 20, true, null, createdAt);
    }
  }
}
