package dev.tollgate.audit;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Proves the audit chain intact, or names the first entry where it breaks. Walks the log in seq order in
 * batches (memory stays bounded), recomputes every hash, and checks each {@code prev_hash} link and that
 * seqs run 1, 2, 3 ... without gaps, since a deleted entry is tampering too. Finally it compares the last
 * entry with the {@code audit_head} row, which catches entries cut from or forged onto the end. Entries
 * appended while it runs are verified too. Blocks on the database. Thread-safe.
 */
public final class AuditVerifier {
  private static final int BATCH = 1_000;

  private final Jdbi jdbi;

  public AuditVerifier(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The outcome of a verification. */
  public sealed interface Result permits Intact, Broken {}

  /**
   * Every entry checked out.
   *
   * @param entries how many entries were verified
   * @param headSeq the last entry's seq (0 for an empty log)
   * @param headHash the last entry's hash: kept elsewhere, it lets a later run prove nothing was rewritten
   */
  public record Intact(long entries, long headSeq, String headHash) implements Result {}

  /**
   * The first entry where the chain breaks.
   *
   * @param id the stored entry's id; empty when the entry is missing
   * @param stored the stored row as JSON (every column, secrets were redacted on append); empty when missing
   */
  public record Broken(long seq, Optional<String> id, String reason, Optional<String> stored) implements Result {}

  public Result verify() {
    long expected = 1;
    String prevHash = AuditRow.GENESIS;
    long count = 0;
    boolean headWasAhead = false;
    while (true) {
      long walkedBefore = count;
      // Long.MIN_VALUE on the first batch: a forged row with seq 0 or below must be seen, not skipped.
      long after = count == 0 ? Long.MIN_VALUE : expected - 1;
      List<AuditRow> batch;
      do {
        batch = batch(after);
        for (AuditRow row : batch) {
          Optional<Broken> broken = check(row, expected, prevHash);
          if (broken.isPresent()) {
            return broken.get();
          }
          expected++;
          prevHash = row.hash();
          count++;
        }
        after = expected - 1;
      } while (batch.size() == BATCH);

      long last = expected - 1;
      Optional<Head> maybeHead = head();
      if (maybeHead.isEmpty()) {
        return new Broken(last, Optional.empty(), "the audit_head row is missing", Optional.empty());
      }
      Head head = maybeHead.get();
      if (head.seq() == last) {
        if (!head.hash().equals(prevHash)) {
          return brokenAt(last, "its hash is not the one audit_head records (" + head.hash() + ")");
        }
        return new Intact(count, last, prevHash);
      }
      if (head.seq() < last) {
        return brokenAt(head.seq() + 1, "it lies beyond the last entry audit_head records (seq " + head.seq() + ")");
      }
      // The head is ahead: entries were appended while we walked (the head and its entry commit together,
      // so they are visible now), or entries were cut from the end, which a second walk tells apart.
      if (headWasAhead && count == walkedBefore) {
        return new Broken(expected, Optional.empty(), "entry " + expected + " is missing; audit_head records seq "
            + head.seq(), Optional.empty());
      }
      headWasAhead = true;
    }
  }

  private static Optional<Broken> check(AuditRow row, long expected, String prevHash) {
    if (row.seq() > expected) {
      return Optional.of(new Broken(expected, Optional.empty(),
          "entry " + expected + " is missing (the log jumps to seq " + row.seq() + ")", Optional.empty()));
    }
    if (row.seq() < expected) {
      return Optional.of(broken(row, "seq " + row.seq() + " is out of sequence (expected " + expected + ")"));
    }
    if (!row.computeHash().equals(row.hash())) {
      return Optional.of(broken(row, "its stored fields do not hash to its stored hash"));
    }
    if (!row.prevHash().equals(prevHash)) {
      return Optional.of(broken(row, "its prev_hash is not the hash of entry " + (expected - 1)));
    }
    return Optional.empty();
  }

  private static Broken broken(AuditRow row, String reason) {
    return new Broken(row.seq(), Optional.ofNullable(row.id()), reason, Optional.of(row.describe()));
  }

  private Broken brokenAt(long seq, String reason) {
    Optional<AuditRow> row = jdbi.withHandle(h -> h.createQuery(
            "SELECT " + AuditRows.COLUMNS + " FROM audit_log WHERE seq = :seq")
        .bind("seq", seq)
        .map(AuditRows::map)
        .findOne());
    return row.map(r -> broken(r, reason))
        .orElseGet(() -> new Broken(seq, Optional.empty(), reason, Optional.empty()));
  }

  private List<AuditRow> batch(long after) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT " + AuditRows.COLUMNS + " FROM audit_log WHERE seq > :after ORDER BY seq LIMIT :limit")
        .bind("after", after)
        .bind("limit", BATCH)
        .map(AuditRows::map)
        .list());
  }

  private Optional<Head> head() {
    return jdbi.withHandle(h -> h.createQuery("SELECT seq, hash FROM audit_head WHERE id = 1")
        .map((rs, ctx) -> new Head(rs.getLong("seq"), rs.getString("hash")))
        .findOne());
  }

  private record Head(long seq, String hash) {}
}
