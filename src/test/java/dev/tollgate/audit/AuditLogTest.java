package dev.tollgate.audit;

import dev.tollgate.testing.ManualClock;
import static dev.tollgate.audit.AuditFixture.START;
import static dev.tollgate.audit.AuditFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Appending, querying and exporting, on SQLite and PostgreSQL. */
class AuditLogTest {
  @TempDir
  Path dir;

  private final List<Database> open = new ArrayList<>();
  private final ManualClock clock = new ManualClock(START);

  @AfterEach
  void close() {
    open.forEach(Database::close);
  }

  private Database db(TestDatabases.Kind kind) {
    return db(AuditFixture.freshUrl(kind, dir));
  }

  private Database db(String url) {
    Database db = AuditFixture.open(url);
    open.add(db);
    return db;
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void appendsChainEachEntryToThePreviousOne(TestDatabases.Kind kind) {
    Database db = db(kind);
    AuditLog log = AuditFixture.log(db, clock);

    AuditEntry first = log.append(AuditFixture.fullEvent(1));
    clock.advance(5);
    AuditEntry second = log.append(AuditEvent.of(Actor.master(), "team.create", null));
    clock.advance(5);
    AuditEntry third = log.append(AuditEvent.of(Actor.anonymous("mallory"), AuditActions.SIGNIN_FAILURE,
        Target.of("user", null)).withRequest("req-3", "192.0.2.1"));

    assertThat(List.of(first.seq(), second.seq(), third.seq())).containsExactly(1L, 2L, 3L);
    assertThat(first.prevHash()).isEqualTo("0".repeat(64));
    assertThat(second.prevHash()).isEqualTo(first.hash());
    assertThat(third.prevHash()).isEqualTo(second.hash());
    assertThat(List.of(first.hash(), second.hash(), third.hash())).allMatch(h -> h.matches("[0-9a-f]{64}"))
        .doesNotHaveDuplicates();
    assertThat(first.time()).isEqualTo(Instant.ofEpochMilli(START));
    assertThat(third.time()).isEqualTo(Instant.ofEpochMilli(START + 10));
    assertThat(first.actor()).isEqualTo(Actor.user("u-1", "User 1"));
    assertThat(first.orgId()).isEqualTo("org-1");
    assertThat(second.orgId()).as("gateway-wide").isNull();
    assertThat(first.before()).isEqualTo(json("{\"name\":\"before 1\",\"models\":[\"a\"]}"));
    assertThat(first.requestId()).isEqualTo("req-1");
    assertThat(first.sourceIp()).isEqualTo("10.0.0.1");
    assertThat(second.target()).isNull();
    assertThat(second.before()).isNull();
    assertThat(third.actor().type()).isEqualTo(Actor.Type.ANONYMOUS);
    assertThat(third.target()).isEqualTo(Target.of("user", null));

    List<AuditEntry> stored = new AuditQuery(db.jdbi()).page(AuditFilter.all(), AuditQuery.Order.OLDEST_FIRST,
        null, 10).entries();
    assertThat(stored).containsExactly(first, second, third);
    assertThat(new AuditVerifier(db.jdbi()).verify()).isEqualTo(new AuditVerifier.Intact(3, 3, third.hash()));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void secretsNeverReachTheDatabase(TestDatabases.Kind kind) {
    Database db = db(kind);
    JsonNode provider = json("""
        {"name":"openai","api_key":"sk-live-123456","auth":{"oauth":{"client_secret":"cs-987654",
         "tokens":[{"refresh_token":"rt-555555"}]}},"headers":{"Authorization":"Bearer xyz-4444"}}""");

    AuditEntry entry = AuditFixture.log(db, clock).append(AuditEvent.of(Actor.master(), AuditActions.SECRET_CHANGE,
        Target.of("provider", "openai")).withChange(null, provider));

    assertThat(entry.after().at("/auth/oauth/client_secret").asText()).isEqualTo(Redactor.REDACTED);
    assertThat(entry.after().at("/name").asText()).isEqualTo("openai");
    String everything = db.jdbi().withHandle(h -> h.createQuery("SELECT after_json FROM audit_log")
        .mapTo(String.class).one());
    assertThat(everything).doesNotContain("sk-live-123456", "cs-987654", "rt-555555", "xyz-4444")
        .contains("[redacted]");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void anOversizedSnapshotIsReplacedByItsSizeAndDigest(TestDatabases.Kind kind) {
    Database db = db(kind);
    String big = "x".repeat(AuditConfig.DEFAULT_MAX_SNAPSHOT_BYTES);

    AuditEntry entry = AuditFixture.log(db, clock).append(AuditEvent.of(Actor.master(), "team.update",
        Target.of("team", "t")).withChange(json("{\"note\":\"small\"}"), json("{\"note\":\"" + big + "\"}")));

    assertThat(entry.before()).isEqualTo(json("{\"note\":\"small\"}"));
    assertThat(entry.after().at("/truncated/bytes").asLong()).isEqualTo(big.length() + "{\"note\":\"\"}".length());
    assertThat(entry.after().at("/truncated/sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(new AuditVerifier(db.jdbi()).verify()).isInstanceOf(AuditVerifier.Intact.class);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void queriesFilterByTimeActorActionAndTarget(TestDatabases.Kind kind) {
    Database db = db(kind);
    AuditLog log = AuditFixture.log(db, clock);
    // Entry n is appended at START + (n - 1) seconds; 3 and 5 are gateway-wide.
    List<AuditEvent> events = List.of(
        AuditEvent.of(Actor.user("ada", "Ada"), "key.create", Target.of("key", "k1")).withOrg("o-a"),
        AuditEvent.of(Actor.user("bob", "Bob"), "key.revoke", Target.of("key", "k1")).withOrg("o-a"),
        AuditEvent.of(Actor.master(), "keyring.create", Target.of("keyring", "r1")),
        AuditEvent.of(Actor.user("ada", "Ada"), "role.change", Target.of("user", "bob")).withOrg("o-a"),
        AuditEvent.of(Actor.anonymous("eve"), "signin.failure", null),
        AuditEvent.of(Actor.user("ada", "Ada"), "key.create_batch", Target.of("key", "k2")).withOrg("o-b"));
    for (AuditEvent event : events) {
      log.append(event);
      clock.advance(1_000);
    }
    AuditQuery query = new AuditQuery(db.jdbi());
    Instant t0 = Instant.ofEpochMilli(START);

    record Case(AuditFilter filter, List<Long> seqs) {}
    List<Case> cases = List.of(
        new Case(AuditFilter.all(), List.of(1L, 2L, 3L, 4L, 5L, 6L)),
        new Case(AuditFilter.all().between(t0.plusMillis(1_000), t0.plusMillis(4_000)), List.of(2L, 3L, 4L)),
        new Case(AuditFilter.all().between(t0.plusMillis(4_000), null), List.of(5L, 6L)),
        new Case(AuditFilter.all().between(null, t0.plusMillis(1)), List.of(1L)),
        new Case(AuditFilter.all().byActor(Actor.Type.USER, "ada"), List.of(1L, 4L, 6L)),
        new Case(AuditFilter.all().byActor(Actor.Type.USER, null), List.of(1L, 2L, 4L, 6L)),
        new Case(AuditFilter.all().byActor(Actor.Type.MASTER, null), List.of(3L)),
        new Case(AuditFilter.all().byAction("key"), List.of(1L, 2L, 6L)),
        new Case(AuditFilter.all().byAction("key.create"), List.of(1L)),
        new Case(AuditFilter.all().byAction("signin"), List.of(5L)),
        new Case(AuditFilter.all().byAction("role.change.x"), List.of()),
        new Case(AuditFilter.all().byTarget("key", null), List.of(1L, 2L, 6L)),
        new Case(AuditFilter.all().byTarget("key", "k1"), List.of(1L, 2L)),
        new Case(AuditFilter.all().byActor(Actor.Type.USER, "ada").byAction("key").between(t0, t0.plusMillis(5_000)),
            List.of(1L)),
        new Case(AuditFilter.all().byOrg("o-a"), List.of(1L, 2L, 4L)),
        new Case(AuditFilter.all().byOrg("o-b"), List.of(6L)),
        new Case(AuditFilter.all().byOrg("o-c"), List.of()),
        new Case(AuditFilter.all().byOrg("o-a").byAction("key"), List.of(1L, 2L)),
        new Case(AuditFilter.all().byOrg("o-b").byActor(Actor.Type.USER, "ada"), List.of(6L)),
        new Case(AuditFilter.all().byOrg("o-a").byActor(Actor.Type.MASTER, null), List.of()),
        new Case(AuditFilter.all().byAction("signin").byOrg("o-a"), List.of()),
        new Case(AuditFilter.all().byOrg("o-a").between(t0.plusMillis(1_000), null), List.of(2L, 4L)));
    for (Case c : cases) {
      assertThat(query.page(c.filter(), AuditQuery.Order.OLDEST_FIRST, null, 100).entries())
          .as(c.filter().toString()).extracting(AuditEntry::seq).containsExactlyElementsOf(c.seqs());
      List<Long> exported = new ArrayList<>();
      assertThat(query.export(c.filter(), e -> exported.add(e.seq()))).isEqualTo(c.seqs().size());
      assertThat(exported).as("export of " + c.filter()).containsExactlyElementsOf(c.seqs());
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void pagesFollowTheCursorBothWays(TestDatabases.Kind kind) {
    Database db = db(kind);
    AuditLog log = AuditFixture.log(db, clock);
    for (int i = 0; i < 7; i++) {
      log.append(AuditEvent.of(Actor.master(), i % 2 == 0 ? "team.create" : "user.create", null));
    }
    AuditQuery query = new AuditQuery(db.jdbi());

    for (AuditQuery.Order order : AuditQuery.Order.values()) {
      List<Long> seen = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      Long cursor = null;
      do {
        AuditPage page = query.page(AuditFilter.all().byAction("team"), order, cursor, 3);
        page.entries().forEach(e -> seen.add(e.seq()));
        sizes.add(page.entries().size());
        cursor = page.next().isPresent() ? page.next().getAsLong() : null;
      } while (cursor != null);
      List<Long> expected = order == AuditQuery.Order.OLDEST_FIRST ? List.of(1L, 3L, 5L, 7L) : List.of(7L, 5L, 3L, 1L);
      assertThat(seen).as(order.name()).containsExactlyElementsOf(expected);
      assertThat(sizes).containsExactly(3, 1);
    }
    assertThat(query.page(AuditFilter.all(), AuditQuery.Order.OLDEST_FIRST, null, 7).next()).isEmpty();
    assertThatThrownBy(() -> query.page(AuditFilter.all(), AuditQuery.Order.OLDEST_FIRST, null, 0))
        .hasMessage("limit: 0 (expected: 1 to 1000)");
    assertThatThrownBy(() -> query.page(AuditFilter.all(), AuditQuery.Order.OLDEST_FIRST, null, 1001))
        .hasMessage("limit: 1001 (expected: 1 to 1000)");
  }

  /**
   * Three organisations' entries and gateway-wide ones interleaved: an organisation's pages, both ways,
   * and its export hold exactly its own entries, across pages, with the cursor of a filtered page.
   */
  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void anOrganisationPagesAndExportsOnlyItsOwnEntries(TestDatabases.Kind kind) throws Exception {
    Database db = db(kind);
    AuditLog log = AuditFixture.log(db, clock);
    List<String> orgs = Arrays.asList("o-a", "o-b", null, "o-a", "o-c", "o-a", null, "o-b", "o-a", "o-a");
    for (String org : orgs) {
      log.append(AuditEvent.of(Actor.master(), "team.update", Target.of("team", "t")).withOrg(org));
    }
    AuditQuery query = new AuditQuery(db.jdbi());
    AuditFilter orgA = AuditFilter.all().byOrg("o-a");

    for (AuditQuery.Order order : AuditQuery.Order.values()) {
      List<AuditEntry> seen = new ArrayList<>();
      Long cursor = null;
      do {
        AuditPage page = query.page(orgA, order, cursor, 2);
        seen.addAll(page.entries());
        cursor = page.next().isPresent() ? page.next().getAsLong() : null;
      } while (cursor != null);
      List<Long> expected = order == AuditQuery.Order.OLDEST_FIRST ? List.of(1L, 4L, 6L, 9L, 10L)
          : List.of(10L, 9L, 6L, 4L, 1L);
      assertThat(seen).as(order.name()).extracting(AuditEntry::seq).containsExactlyElementsOf(expected);
      assertThat(seen).extracting(AuditEntry::orgId).containsOnly("o-a");
    }
    StringBuilder out = new StringBuilder();
    assertThat(query.exportJsonLines(orgA, out)).isEqualTo(5);
    assertThat(out.toString().lines().map(l -> AuditFixture.json(l).get("org_id").asText()).toList())
        .containsExactly("o-a", "o-a", "o-a", "o-a", "o-a");
    List<AuditEntry> everything = query.page(AuditFilter.all(), AuditQuery.Order.OLDEST_FIRST, null, 100).entries();
    assertThat(everything).extracting(AuditEntry::orgId).containsExactlyElementsOf(orgs);
    assertThat(AuditJson.toJson(everything.get(2)).get("org_id").isNull()).as("gateway-wide on the wire").isTrue();
  }

  @Test
  void organisationPagesUseTheOrgIndexOnSqlite() {
    Database db = db(TestDatabases.Kind.SQLITE);
    String plan = db.jdbi().withHandle(h -> String.join("; ", h.createQuery("EXPLAIN QUERY PLAN SELECT seq FROM "
            + "audit_log WHERE org_id = 'o-a' AND seq > 5 ORDER BY seq LIMIT 10")
        .map((rs, ctx) -> rs.getString("detail")).list()));

    assertThat(plan).contains("USING COVERING INDEX audit_log_org").doesNotContain("TEMP B-TREE");
  }

  @Test
  void organisationIdsAreCheckedWhereTheyEnter() {
    AuditEvent event = AuditEvent.of(Actor.master(), "team.create", null);
    assertThat(event.withOrg("o-1").orgId()).isEqualTo("o-1");
    assertThat(event.withOrg("o-1").withOrg(null).orgId()).isNull();
    assertThat(event.withOrg("o-1").withChange(null, null).withRequest("r", "127.0.0.1").orgId()).isEqualTo("o-1");
    assertThatThrownBy(() -> event.withOrg(" "))
        .hasMessage("org id: blank (expected: an organisation id, or null for gateway-wide)");
    assertThatThrownBy(() -> event.withOrg("x".repeat(AuditEvent.MAX_ID + 1)))
        .hasMessage("org id: 257 characters (expected: <= 256)");
    assertThatThrownBy(() -> AuditFilter.all().byOrg(null))
        .hasMessageStartingWith("org filter: null (expected: an organisation id");
    assertThatThrownBy(() -> AuditFilter.all().byOrg(""))
        .hasMessage("org filter: blank (expected: an organisation id, or null for gateway-wide)");
    assertThat(AuditFilter.all().byOrg("o-1").byAction("key").between(null, null).byTarget("key", null)
        .byActor(Actor.Type.USER, null).orgId()).as("the other builders keep the org").isEqualTo("o-1");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void exportsJsonLinesInBatchesOfBoundedSize(TestDatabases.Kind kind) throws Exception {
    Database db = db(kind);
    AuditLog log = AuditFixture.log(db, clock);
    int n = 1_203; // three export batches, the last one partial
    for (int i = 1; i <= n; i++) {
      log.append(AuditFixture.fullEvent(i % 250));
    }
    StringBuilder out = new StringBuilder();

    assertThat(new AuditQuery(db.jdbi()).exportJsonLines(AuditFilter.all(), out)).isEqualTo(n);

    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(n);
    JsonNode first = AuditRows.JSON.readTree(lines.getFirst());
    assertThat(first.fieldNames()).toIterable().containsExactly("seq", "id", "time", "time_ms", "org_id", "actor",
        "action", "target", "before", "after", "request_id", "source_ip", "prev_hash", "hash");
    assertThat(first.get("org_id").asText()).isEqualTo("org-1");
    assertThat(first.get("time").asText()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(first.at("/actor/type").asText()).isEqualTo("user");
    assertThat(first.at("/after/models/1").asText()).isEqualTo("b");
    assertThat(first.get("prev_hash").asText()).isEqualTo("0".repeat(64));
    String previousHash = null;
    for (int i = 0; i < n; i++) {
      JsonNode line = AuditRows.JSON.readTree(lines.get(i));
      assertThat(line.get("seq").asLong()).isEqualTo(i + 1);
      if (previousHash != null) {
        assertThat(line.get("prev_hash").asText()).isEqualTo(previousHash);
      }
      previousHash = line.get("hash").asText();
    }
  }

  /**
   * Two "nodes" (separate pools and AuditLogs, like two gateways on one database), eight appenders each,
   * all released at once: the chain must come out as 1..N with no fork (every prev_hash used once) and
   * no gap, and verify intact.
   */
  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void concurrentAppendersOnTwoNodesNeverForkOrSkip(TestDatabases.Kind kind) throws Exception {
    String url = AuditFixture.freshUrl(kind, dir);
    List<AuditLog> nodes = List.of(AuditFixture.log(db(url), clock), AuditFixture.log(db(url), clock));
    int threadsPerNode = 8;
    int appendsPerThread = 25;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger appended = new AtomicInteger();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int node = 0; node < nodes.size(); node++) {
        AuditLog log = nodes.get(node);
        String name = "node-" + node;
        for (int t = 0; t < threadsPerNode; t++) {
          pool.submit(() -> {
            try {
              start.await();
              for (int i = 0; i < appendsPerThread; i++) {
                log.append(AuditEvent.of(Actor.system(name), "team.update", Target.of("team", "t")));
                appended.incrementAndGet();
              }
            } catch (Throwable e) {
              failures.add(e);
            }
            return null;
          });
        }
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).as("appenders finished").isTrue();
    }
    int total = nodes.size() * threadsPerNode * appendsPerThread;
    assertThat(failures).isEmpty();
    assertThat(appended.get()).isEqualTo(total);

    Database db = open.getFirst();
    List<AuditEntry> entries = new ArrayList<>();
    new AuditQuery(db.jdbi()).export(AuditFilter.all(), entries::add);
    assertThat(entries).extracting(AuditEntry::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(new HashSet<>(entries.stream().map(AuditEntry::prevHash).toList())).hasSize(total);
    int switches = 0;
    for (int i = 1; i < entries.size(); i++) {
      if (!entries.get(i).actor().id().equals(entries.get(i - 1).actor().id())) {
        switches++;
      }
    }
    assertThat(switches).as("the two nodes' appends interleaved, so they really raced").isPositive();
    assertThat(new AuditVerifier(db.jdbi()).verify()).isInstanceOf(AuditVerifier.Intact.class)
        .extracting(r -> ((AuditVerifier.Intact) r).entries()).isEqualTo((long) total);
  }
}
