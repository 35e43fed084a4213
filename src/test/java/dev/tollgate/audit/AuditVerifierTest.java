package dev.tollgate.audit;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The test: tampering with any stored entry makes verification fail at exactly that entry. Five
 * entries with every column set; the SQL below is what an attacker with database access would run.
 */
class AuditVerifierTest {
  private static final int ENTRIES = 5;
  private static final int VICTIM = 3;

  @TempDir
  Path dir;

  private final List<Database> open = new ArrayList<>();
  private final ManualClock clock = new ManualClock(AuditFixture.START);
  private Database db;
  private List<AuditEntry> entries;

  @AfterEach
  void close() {
    open.forEach(Database::close);
  }

  private void fiveEntries(TestDatabases.Kind kind) {
    db = AuditFixture.open(AuditFixture.freshUrl(kind, dir));
    open.add(db);
    AuditLog log = AuditFixture.log(db, clock);
    entries = new ArrayList<>();
    for (int i = 1; i <= ENTRIES; i++) {
      entries.add(log.append(AuditFixture.fullEvent(i)));
      clock.advance(1_000);
    }
    assertThat(verify()).isEqualTo(new AuditVerifier.Intact(ENTRIES, ENTRIES, entries.getLast().hash()));
  }

  private AuditVerifier.Result verify() {
    return new AuditVerifier(db.jdbi()).verify();
  }

  private void sql(String statement) {
    db.jdbi().useHandle(h -> h.execute(statement));
  }

  static Stream<Arguments> tamperedColumns() {
    List<String[]> columns = List.of(
        new String[] {"id", "'0197a0b2-0000-7000-8000-00000000beef'"},
        new String[] {"created_at", "created_at + 1"},
        new String[] {"org_id", "'org-other'"},
        new String[] {"org_id", "NULL"},
        new String[] {"actor_type", "'system'"},
        new String[] {"actor_id", "'u-999'"},
        new String[] {"actor_id", "NULL"},
        new String[] {"actor_display", "'Somebody Else'"},
        new String[] {"action", "'key.revoke'"},
        new String[] {"target_type", "'team'"},
        new String[] {"target_id", "'k-999'"},
        new String[] {"before_json", "'{\"models\":[\"a\"],\"name\":\"forged\"}'"},
        new String[] {"before_json", "NULL"},
        new String[] {"after_json", "'null'"},
        new String[] {"after_json", "'{\"models\": [\"a\",\"b\"],\"name\":\"after 3\"}'"}, // same JSON, other spacing
        new String[] {"request_id", "'req-forged'"},
        new String[] {"source_ip", "'203.0.113.9'"},
        new String[] {"prev_hash", "'" + "0".repeat(64) + "'"},
        new String[] {"hash", "'" + "f".repeat(64) + "'"});
    return Stream.of(TestDatabases.Kind.values())
        .flatMap(kind -> columns.stream().map(c -> Arguments.of(kind, c[0], c[1])));
  }

  /** A column added to audit_log without a row in the table above fails here. */
  @Test
  void everyStoredColumnButSeqIsTampered() {
    // seq is not a column an UPDATE can change in place without looking like a deletion or a reordering,
    // which the tests below cover with their own expected outcomes.
    assertThat(tamperedColumns().map(a -> (String) a.get()[1]).distinct())
        .containsExactlyInAnyOrder(Stream.of(AuditRows.COLUMNS.split(", ")).filter(c -> !c.equals("seq"))
            .toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}: {1} = {2}")
  @MethodSource("tamperedColumns")
  void changingAnyColumnBreaksTheChainAtThatEntry(TestDatabases.Kind kind, String column, String value) {
    fiveEntries(kind);

    sql("UPDATE audit_log SET " + column + " = " + value + " WHERE seq = " + VICTIM);

    AuditVerifier.Broken broken = (AuditVerifier.Broken) verify();
    assertThat(broken.seq()).isEqualTo(VICTIM);
    assertThat(broken.reason()).contains("hash");
    assertThat(broken.stored()).isPresent();
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void changingAnEntryAndRehashingItBreaksTheLinkFromTheNext(TestDatabases.Kind kind) {
    fiveEntries(kind);
    AuditRow victim = storedRow(VICTIM);
    AuditRow forged = new AuditRow(victim.seq(), victim.id(), victim.time(), victim.orgId(), victim.actorType(),
        victim.actorId(), victim.actorDisplay(), "key.read", victim.targetType(), victim.targetId(), victim.before(),
        victim.after(), victim.requestId(), victim.sourceIp(), victim.prevHash(), null);

    sql("UPDATE audit_log SET action = 'key.read', hash = '" + forged.computeHash() + "' WHERE seq = " + VICTIM);

    assertThat(verify()).isEqualTo(new AuditVerifier.Broken(VICTIM + 1, Optional.of(entries.get(VICTIM).id()),
        "its prev_hash is not the hash of entry " + VICTIM, Optional.of(storedRow(VICTIM + 1).describe())));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aDeletedEntryIsNamed(TestDatabases.Kind kind) {
    fiveEntries(kind);

    sql("DELETE FROM audit_log WHERE seq = " + VICTIM);

    assertThat(verify()).isEqualTo(new AuditVerifier.Broken(VICTIM, Optional.empty(),
        "entry 3 is missing (the log jumps to seq 4)", Optional.empty()));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void entriesCutFromTheEndAreNamed(TestDatabases.Kind kind) {
    fiveEntries(kind);

    sql("DELETE FROM audit_log WHERE seq >= 4");

    assertThat(verify()).isEqualTo(new AuditVerifier.Broken(4, Optional.empty(),
        "entry 4 is missing; audit_head records seq 5", Optional.empty()));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aForgedEntryAppendedWithAValidHashIsCaughtByTheHead(TestDatabases.Kind kind) {
    fiveEntries(kind);
    AuditRow last = storedRow(ENTRIES);
    AuditRow unhashed = new AuditRow(6, "0197a0b2-0000-7000-8000-0000000f0e9e", last.time() + 1, null, "master",
        "master", "master key", "key.create", "key", "k-forged", null, "{\"name\":\"backdoor\"}", null, null,
        last.hash(), null);
    insert(unhashed.withHash(unhashed.computeHash()));

    AuditVerifier.Broken broken = (AuditVerifier.Broken) verify();
    assertThat(broken.seq()).isEqualTo(6);
    assertThat(broken.id()).contains("0197a0b2-0000-7000-8000-0000000f0e9e");
    assertThat(broken.reason()).isEqualTo("it lies beyond the last entry audit_head records (seq 5)");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aForgedEntryWithABadHashIsNamed(TestDatabases.Kind kind) {
    fiveEntries(kind);
    AuditRow last = storedRow(ENTRIES);
    insert(new AuditRow(6, "forged", last.time() + 1, null, "master", "master", null, "key.create", null, null,
        null, null, null, null, last.hash(), "e".repeat(64)));
    sql("UPDATE audit_head SET seq = 6, hash = '" + "e".repeat(64) + "'");

    AuditVerifier.Broken broken = (AuditVerifier.Broken) verify();
    assertThat(broken.seq()).isEqualTo(6);
    assertThat(broken.reason()).isEqualTo("its stored fields do not hash to its stored hash");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aForgedEntryBeforeTheFirstIsNamed(TestDatabases.Kind kind) {
    fiveEntries(kind);
    insert(new AuditRow(0, "forged-0", 0, null, "system", "x", null, "team.create", null, null, null, null, null, null,
        "0".repeat(64), "e".repeat(64)));

    AuditVerifier.Broken broken = (AuditVerifier.Broken) verify();
    assertThat(broken.seq()).isZero();
    assertThat(broken.reason()).isEqualTo("seq 0 is out of sequence (expected 1)");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void reorderedEntriesBreakAtTheFirstMovedOne(TestDatabases.Kind kind) {
    fiveEntries(kind);

    sql("UPDATE audit_log SET seq = -2 WHERE seq = 2");
    sql("UPDATE audit_log SET seq = 2 WHERE seq = 4");
    sql("UPDATE audit_log SET seq = 4 WHERE seq = -2");

    AuditVerifier.Broken broken = (AuditVerifier.Broken) verify();
    assertThat(broken.seq()).isEqualTo(2);
    assertThat(broken.id()).contains(entries.get(3).id());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aTamperedHeadIsNamedAtTheLastEntry(TestDatabases.Kind kind) {
    fiveEntries(kind);

    sql("UPDATE audit_head SET hash = '" + "a".repeat(64) + "'");

    AuditVerifier.Broken broken = (AuditVerifier.Broken) verify();
    assertThat(broken.seq()).isEqualTo(ENTRIES);
    assertThat(broken.reason()).startsWith("its hash is not the one audit_head records");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aMissingHeadIsReported(TestDatabases.Kind kind) {
    fiveEntries(kind);

    sql("DELETE FROM audit_head");

    assertThat(verify()).isEqualTo(new AuditVerifier.Broken(ENTRIES, Optional.empty(),
        "the audit_head row is missing", Optional.empty()));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void anEmptyLogIsIntact(TestDatabases.Kind kind) {
    db = AuditFixture.open(AuditFixture.freshUrl(kind, dir));
    open.add(db);

    assertThat(verify()).isEqualTo(new AuditVerifier.Intact(0, 0, "0".repeat(64)));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aLongChainVerifiesAcrossBatches(TestDatabases.Kind kind) {
    db = AuditFixture.open(AuditFixture.freshUrl(kind, dir));
    open.add(db);
    AuditLog log = AuditFixture.log(db, clock);
    for (int i = 0; i < 2_345; i++) {
      log.append(AuditEvent.of(Actor.system("test"), "team.update", null));
    }
    sql("UPDATE audit_log SET actor_id = 'other' WHERE seq = 2001");

    assertThat(verify()).isInstanceOf(AuditVerifier.Broken.class).extracting(r -> ((AuditVerifier.Broken) r).seq())
        .isEqualTo(2001L);
  }

  private AuditRow storedRow(long seq) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + AuditRows.COLUMNS + " FROM audit_log WHERE seq = :s")
        .bind("s", seq).map(AuditRows::map).one());
  }

  private void insert(AuditRow r) {
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO audit_log (" + AuditRows.COLUMNS + ") VALUES (:seq, :id, "
            + ":time, :orgId, :actorType, :actorId, :actorDisplay, :action, :targetType, :targetId, :before, :after, "
            + ":requestId, :sourceIp, :prevHash, :hash)")
        .bind("seq", r.seq()).bind("id", r.id()).bind("time", r.time()).bind("orgId", r.orgId())
        .bind("actorType", r.actorType())
        .bind("actorId", r.actorId()).bind("actorDisplay", r.actorDisplay()).bind("action", r.action())
        .bind("targetType", r.targetType()).bind("targetId", r.targetId()).bind("before", r.before())
        .bind("after", r.after()).bind("requestId", r.requestId()).bind("sourceIp", r.sourceIp())
        .bind("prevHash", r.prevHash()).bind("hash", r.hash())
        .execute());
  }
}
