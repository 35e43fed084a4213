package dev.tollgate.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.metering.UsageEvent;
import dev.tollgate.metering.UsageSink;
import dev.tollgate.metering.wal.HookedOpener;
import dev.tollgate.metering.wal.Wal;
import dev.tollgate.metering.wal.WalConfig;
import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ledger on its own, in-process: a fake database that fails on demand, a clock the test moves, and
 * (mostly) the flusher driven step by step through {@link Ledger#flushOnce} so that every interleaving
 * is the one the test names.
 */
@Timeout(60)
class LedgerTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final FakeSink sink = new FakeSink();

  /** A database that keeps the first event per id, counts successful inserts, and fails while told to. */
  static final class FakeSink implements UsageSink {
    final Map<String, UsageEvent> stored = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> insertedOk = new ConcurrentHashMap<>();
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    final AtomicInteger refused = new AtomicInteger();
    volatile boolean down;

    @Override
    public void insert(List<UsageEvent> events) {
      if (down) {
        refused.incrementAndGet();
        throw new IllegalStateException("database unreachable (fake)");
      }
      batches.add(events.size());
      for (UsageEvent e : events) {
        stored.putIfAbsent(e.id(), e);
        insertedOk.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet();
      }
    }

    @Override
    public Set<String> stored(Collection<String> ids) {
      if (down) {
        refused.incrementAndGet();
        throw new IllegalStateException("database unreachable (fake)");
      }
      return ids.stream().filter(stored::containsKey).collect(Collectors.toSet());
    }

    /** Ids whose event was inserted successfully more than once. */
    List<String> duplicates() {
      return insertedOk.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).toList();
    }
  }

  /** 4 KiB segments (a dozen records each), fsync on every batch at once, no admission headroom. */
  private LedgerConfig config(int flushBatch) {
    return new LedgerConfig(new WalConfig(dir, 4096, Duration.ZERO, 1, 1 << 22, 0), flushBatch,
        Duration.ofMillis(5));
  }

  private Ledger open(int flushBatch) {
    return Ledger.open(config(flushBatch), sink, clock);
  }

  private CallIntent intent(String id) {
    return new CallIntent(id, "req-" + id, "key-1", "team-1", "user-1", "chat_completions", "m", "fake::m", "fake",
        "upstream-model", id.hashCode() % 2 == 0, 120, 360, clock.millis(), 1, null);
  }

  private UsageEvent event(CallIntent i) {
    return new UsageEvent(i.id(), i.requestId(), i.keyId(), i.endpoint(), i.model(), i.deployment(), i.provider(),
        i.upstreamModel(), 120, 30, 5, 2, false, 420, "ok", 200, 80, 12, i.streamed(), null, clock.millis(),
        i.attempt(), i.route(), i.teamId(), i.userId());
  }

  /** A whole call: intent on disk, then its event on disk. */
  private CallIntent call(Ledger ledger, String id) {
    CallIntent intent = intent(id);
    ledger.begin(intent).join();
    ledger.end(event(intent)).join();
    return intent;
  }

  /** One pass of the flusher over everything written so far (forced first, as the group commit would). */
  private static int flush(Ledger ledger) {
    ledger.sync();
    return ledger.flushOnce();
  }

  /** Flushes until the flusher reads nothing more; returns how many passes read something. */
  private static int drain(Ledger ledger) {
    int passes = 0;
    while (flush(ledger) > 0) {
      passes++;
    }
    return passes;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".wal")).sorted().toList();
    }
  }

  // ---------------------------------------------------------------- the codec

  @Test
  void everyKindOfRecordSurvivesTheCodecUnchanged() {
    CallIntent intent = intent("01-intent");
    CallIntent bare = new CallIntent("02", null, "k", "t", null, "embeddings", "m", "d", "p", "u", true, 0, 0, 1, 3,
        "fallback after 503");
    String longError = "x".repeat(70_000) + " \u00e9\u4e2d\ud83d\ude00"; // past writeUTF's 64 KiB, not only ASCII
    UsageEvent failed = new UsageEvent("03", "req", "k", "chat_completions", "m", "d", "p", "u", 7, 0, 0, 0, true, 9,
        "upstream_error", 502, 1500, -1, true, longError, 123, 2, "retry", "team-2", null);
    List<LedgerRecord> table = List.of(
        new LedgerRecord.Begun(intent),
        new LedgerRecord.Begun(bare),
        new LedgerRecord.Ended(event(intent)),
        new LedgerRecord.Ended(failed),
        new LedgerRecord.Ended(intent.interrupted()),
        LedgerRecord.Outcome.of(event(intent)),
        LedgerRecord.Outcome.of(failed),
        new LedgerRecord.Abandoned("04"));
    for (LedgerRecord record : table) {
      assertThat(LedgerCodec.decode(LedgerCodec.encode(record))).as(record.getClass().getSimpleName())
          .isEqualTo(record);
    }
  }

  @Test
  void anAsciiRecordIsEncodedIntoAnArrayOfExactlyItsSizeAnyOtherIsTrimmed() {
    UsageEvent accented = new UsageEvent("05", "req", "k", "chat_completions", "m", "d", "p", "u", 1, 1, 0, 0, false,
        1, "upstream_error", 502, 1, 1, false, "déjà 中", 1, 1, "primary", "t", "u");
    List<LedgerRecord> ascii = List.of(new LedgerRecord.Begun(intent("06")), new LedgerRecord.Ended(event(intent("07"))),
        new LedgerRecord.Begun(new CallIntent("08", null, "k", "t", null, "embeddings", "m", "d", "p", "u", true, 0, 0,
            1, 3, "primary")),
        LedgerRecord.Outcome.of(event(intent("10"))),
        new LedgerRecord.Abandoned("09"));
    for (LedgerRecord record : ascii) {
      // The size is what the encoder allocates: a wrong one would cost a second array and a copy per record.
      assertThat(LedgerCodec.encode(record)).as(record.toString()).hasSize(LedgerCodec.sizeOf(record));
    }
    byte[] bytes = LedgerCodec.encode(new LedgerRecord.Ended(accented));
    assertThat(bytes.length).isGreaterThan(LedgerCodec.sizeOf(new LedgerRecord.Ended(accented)));
    assertThat(LedgerCodec.decode(bytes)).isEqualTo(new LedgerRecord.Ended(accented));
  }

  @Test
  void garbageIsRefusedWithAReasonNeverMisread() {
    byte[] good = LedgerCodec.encode(new LedgerRecord.Ended(event(intent("a"))));
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 3);
    byte[] wrongVersion = good.clone();
    wrongVersion[0] = 9;
    byte[] wrongKind = good.clone();
    wrongKind[1] = 77;
    Map<String, byte[]> table = Map.of(
        "empty", new byte[0],
        "wrong version", wrongVersion,
        "unknown kind", wrongKind,
        "truncated", java.util.Arrays.copyOf(good, good.length - 5),
        "bytes after the end", trailing,
        "huge string length", new byte[] {1, 3, 0x7f, -1, -1, -1});
    table.forEach((name, bytes) -> assertThatThrownBy(() -> LedgerCodec.decode(bytes)).as(name)
        .isInstanceOf(IllegalArgumentException.class));
    // Random bytes: refused or (rarely) decoded, never any other exception.
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      byte[] noise = new byte[random.nextInt(200)];
      random.nextBytes(noise);
      if (random.nextBoolean() && noise.length > 1) {
        noise[0] = 1; // past the version check, into the fields
        noise[1] = (byte) (1 + random.nextInt(3));
      }
      try {
        LedgerCodec.decode(noise);
      } catch (IllegalArgumentException expected) {
        // the only failure allowed
      }
    }
  }

  @Test
  void anUnreadableRecordIsSkippedAndCountedOnceAndTheRestIsFlushed() {
    // A record the ledger cannot read (written by a future version, say) between two good calls.
    CallIntent before = intent("before");
    CallIntent after = intent("after");
    try (Wal wal = Wal.open(config(100).wal(), clock)) {
      wal.append(LedgerCodec.encode(new LedgerRecord.Begun(before))).join();
      wal.append(LedgerCodec.encode(new LedgerRecord.Ended(event(before)))).join();
      wal.append("not a ledger record".getBytes(StandardCharsets.UTF_8)).join();
      wal.append(LedgerCodec.encode(new LedgerRecord.Begun(after))).join();
      wal.append(LedgerCodec.encode(new LedgerRecord.Ended(event(after)))).join();
    }
    try (Ledger ledger = open(100)) {
      assertThat(ledger.status().lagEvents()).isEqualTo(2);
      drain(ledger);
      assertThat(sink.stored).containsOnlyKeys("before", "after");
      assertThat(ledger.status().unreadable()).as("counted once, not again by the backlog count").isEqualTo(1);
      assertThat(ledger.status().lagEvents()).isZero();
      assertThat(ledger.committedSeq()).isEqualTo(ledger.durableSeq());
    }
  }

  /**
   * A call's end is logged as its outcome alone and joined with its intent, whether the intent was read in the
   * same batch or in an earlier one (still open), so the database gets the very event the gateway settled.
   */
  @ParameterizedTest(name = "flush batch {0}")
  @ValueSource(ints = {1, 100})
  void anOutcomeIsJoinedWithItsIntentIntoTheWholeEvent(int flushBatch) {
    try (Ledger ledger = open(flushBatch)) {
      CallIntent early = intent("early");
      ledger.begin(early).join();
      drain(ledger); // the intent read, and open, before its call ends
      CallIntent other = intent("other");
      ledger.begin(other).join();
      UsageEvent otherEvent = new UsageEvent("other", other.requestId(), other.keyId(), other.endpoint(),
          other.model(), other.deployment(), other.provider(), other.upstreamModel(), 9, 0, 0, 0, true, 17,
          "client_closed", 499, 3, -1, other.streamed(), "gone \u00e9", clock.millis() + 5, other.attempt(),
          other.route(), other.teamId(), other.userId());
      ledger.end(otherEvent).join();
      ledger.end(event(early)).join();
      drain(ledger);
      assertThat(sink.stored).containsOnlyKeys("early", "other");
      assertThat(sink.stored.get("early")).isEqualTo(event(early));
      assertThat(sink.stored.get("other")).isEqualTo(otherEvent);
      assertThat(ledger.status().lagEvents()).isZero();
      assertThat(ledger.committedSeq()).isEqualTo(ledger.durableSeq());
    }
  }

  /**
   * An outcome read without its intent is either a copy (after a restart the replay begins where the lagging
   * checkpoint says, behind calls the last run already stored: the database has the event) or lost its intent
   * to damage on disk: that one cannot be attributed to a caller. It is counted as unreadable once, nothing is
   * inserted with made-up fields, and neither the lag nor the log is held up.
   */
  @Test
  void anOutcomeWithoutItsIntentIsACopyWhenStoredElseCountedUnreadableAndNothingHalfKnownIsStored() {
    CallIntent lost = intent("lost");
    CallIntent copied = intent("copied");
    CallIntent kept = intent("kept");
    sink.insert(List.of(event(copied))); // stored by the previous run, whose checkpoint lagged
    try (Wal wal = Wal.open(config(100).wal(), clock)) {
      wal.append(LedgerCodec.encode(LedgerRecord.Outcome.of(event(copied)))).join();
      wal.append(LedgerCodec.encode(LedgerRecord.Outcome.of(event(lost)))).join();
      wal.append(LedgerCodec.encode(new LedgerRecord.Begun(kept))).join();
      wal.append(LedgerCodec.encode(LedgerRecord.Outcome.of(event(kept)))).join();
    }
    sink.down = true;
    try (Ledger ledger = open(100)) {
      assertThat(ledger.status().lagEvents()).isEqualTo(3);
      assertThatThrownBy(() -> flush(ledger)).as("the database refuses the batch; it is read again").isNotNull();
      sink.down = false;
      drain(ledger);
      assertThat(sink.stored).containsOnlyKeys("copied", "kept");
      assertThat(sink.insertedOk.get("copied").get()).as("a copy is not inserted again").isEqualTo(1);
      assertThat(ledger.status().unreadable()).as("the lost one, once, though its batch was read twice")
          .isEqualTo(1);
      assertThat(ledger.status().lagEvents()).isZero();
      assertThat(ledger.committedSeq()).isEqualTo(ledger.durableSeq());
    }
  }

  // ---------------------------------------------------------------- records found twice

  /**
   * Every kind of record twice, the copies where a replay of the log's tail would put them (an intent after
   * its call's end, after its abandon), read in batches that split pairs and that hold them whole: each
   * event reaches the database once, no intent stays open, nothing is billed as interrupted.
   */
  @ParameterizedTest(name = "flush batch {0}")
  @ValueSource(ints = {3, 100})
  void recordsFoundTwiceInTheLogChangeNothing(int flushBatch) {
    CallIntent a = intent("a");
    CallIntent b = intent("b");
    CallIntent c = intent("c");
    List<LedgerRecord> records = List.of(
        new LedgerRecord.Begun(a), new LedgerRecord.Begun(a), // an intent twice before its end
        LedgerRecord.Outcome.of(event(a)), LedgerRecord.Outcome.of(event(a)), // an outcome twice
        new LedgerRecord.Begun(b), new LedgerRecord.Abandoned("b"), new LedgerRecord.Abandoned("b"), // an abandon twice
        new LedgerRecord.Begun(b), // and its intent again after it: must not bill a call that never went out
        new LedgerRecord.Begun(c), new LedgerRecord.Ended(event(c)), // a whole call, its event whole (older logs)
        new LedgerRecord.Begun(c), LedgerRecord.Outcome.of(event(c))); // and all of it again, as an outcome
    try (Wal wal = Wal.open(config(flushBatch).wal(), clock)) {
      for (LedgerRecord r : records) {
        wal.append(LedgerCodec.encode(r)).join();
      }
    }
    try (Ledger ledger = open(flushBatch)) {
      assertThat(ledger.status().lagEvents()).isEqualTo(4);
      drain(ledger);
      assertThat(sink.stored).containsOnlyKeys("a", "c");
      assertThat(sink.stored.get("a")).as("the outcome joined with its intent").isEqualTo(event(a));
      assertThat(sink.duplicates()).isEmpty();
      assertThat(ledger.status().flushed()).isEqualTo(2);
      assertThat(ledger.status().lagEvents()).as("the copies are counted off too").isZero();
      assertThat(ledger.status().interrupted()).isZero();
      assertThat(ledger.committedSeq()).as("no intent left open").isEqualTo(ledger.durableSeq());
    }
    try (Ledger reopened = open(flushBatch)) {
      drain(reopened);
      assertThat(reopened.status().interrupted()).isZero();
    }
    assertThat(sink.stored).containsOnlyKeys("a", "c");
    assertThat(sink.duplicates()).isEmpty();
  }

  /**
   * The gateway died after the log's writer put a batch in a segment and before it moved its intake's tail
   * past the batch's intake records, so that they are in both files. Call {@code b}'s abandon was queued
   * (behind an append), so it is only in the segment: a copy of {@code b}'s intent replayed after it would
   * bill a call that never went out. Every call is billed once, as it ended, and nothing stays open.
   */
  @Test
  void aCrashBetweenTheLogsWriteAndItsIntakesTailMoveBillsEveryCallOnce() throws Exception {
    Path live = dir.resolve("live");
    Path crashed = dir.resolve("crashed");
    WalConfig walConfig = new WalConfig(live, 4096, Duration.ZERO, 1, 1 << 22, 0);
    HookedOpener opener = new HookedOpener();
    Semaphore inForce = new Semaphore(0);
    Semaphore release = new Semaphore(0);
    CallIntent a = intent("a");
    CallIntent b = intent("b");
    CallIntent c = intent("c");
    CallIntent d = intent("d");
    byte[] intakeBefore;
    try (Wal wal = Wal.open(walConfig, clock, opener)) {
      opener.hook = path -> {
        inForce.release();
        release.acquireUninterruptibly();
      };
      wal.append(LedgerCodec.encode(new LedgerRecord.Begun(d))); // with fsync_intents: the writer stalls forcing it
      try {
        assertThat(inForce.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        wal.write(LedgerCodec.encode(new LedgerRecord.Begun(a))); // in the intake
        wal.writeLater(LedgerCodec.encode(new LedgerRecord.Ended(event(a))));
        wal.write(LedgerCodec.encode(new LedgerRecord.Begun(b)));
        wal.append(LedgerCodec.encode(new LedgerRecord.Ended(event(d)))); // queued; what follows is queued behind it
        wal.writeLater(LedgerCodec.encode(new LedgerRecord.Abandoned("b")));
        wal.write(LedgerCodec.encode(new LedgerRecord.Begun(c)));
        wal.writeLater(LedgerCodec.encode(new LedgerRecord.Ended(event(c))));
        intakeBefore = Files.readAllBytes(live.resolve("intake")); // its tail before the batch
      } finally {
        opener.hook = path -> {};
        release.release(100);
      }
      wal.sync().join(); // the batch is in a segment, the intake's tail moved past it
      Files.createDirectories(crashed);
      for (Path segment : walSegments(live)) {
        Files.copy(segment, crashed.resolve(segment.getFileName()));
      }
      Files.write(crashed.resolve("intake"), intakeBefore);
    }
    byte[] beganA = LedgerCodec.encode(new LedgerRecord.Begun(a));
    assertThat(indexOf(intakeBefore, beganA)).as("a's intent in the intake").isNotNegative();
    assertThat(indexOf(Files.readAllBytes(walSegments(crashed).getLast()), beganA)).as("and in the segment")
        .isNotNegative();
    try (Ledger ledger = Ledger.open(new LedgerConfig(new WalConfig(crashed, 4096, Duration.ZERO, 1, 1 << 22, 0),
        100, Duration.ofMillis(5)), sink, clock)) {
      drain(ledger);
      assertThat(ledger.status().lagEvents()).isZero();
      assertThat(ledger.status().interrupted()).isZero();
      assertThat(ledger.committedSeq()).as("no intent left open").isEqualTo(ledger.durableSeq());
    }
    assertThat(sink.stored).containsOnlyKeys("a", "c", "d");
    assertThat(sink.stored.values()).allMatch(e -> e.status().equals("ok"));
    assertThat(sink.duplicates()).isEmpty();
  }

  private static List<Path> walSegments(Path walDir) throws IOException {
    try (Stream<Path> files = Files.list(walDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".wal")).sorted().toList();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---------------------------------------------------------------- flushing and committing

  @Test
  void eventsGoToTheDatabaseInBatchesAndTheCommittedPositionFollows() {
    try (Ledger ledger = open(10)) {
      for (int i = 0; i < 25; i++) {
        call(ledger, "c" + i); // two records each: 50 records
      }
      assertThat(ledger.status().lagEvents()).isEqualTo(25);
      assertThat(ledger.committedSeq()).isZero();
      List<Long> committed = new ArrayList<>();
      while (flush(ledger) > 0) {
        committed.add(ledger.committedSeq());
      }
      assertThat(sink.batches).as("10 records a pass, 5 events").containsExactly(5, 5, 5, 5, 5);
      assertThat(committed).containsExactly(10L, 20L, 30L, 40L, 50L);
      assertThat(sink.stored).hasSize(25);
      assertThat(sink.duplicates()).isEmpty();
      assertThat(ledger.status().flushed()).isEqualTo(25);
      assertThat(ledger.status().lagEvents()).isZero();
    }
  }

  @Test
  void anOpenIntentPinsTheLogUntilCarriedForwardThenOldSegmentsGo() throws IOException {
    try (Ledger ledger = open(1000)) {
      CallIntent slow = intent("slow");
      ledger.begin(slow).join();
      ledger.sync();
      long slowSeq = ledger.durableSeq();
      for (int i = 0; i < 200; i++) {
        call(ledger, "short-" + i);
      }
      drain(ledger);
      assertThat(sink.stored).hasSize(200);
      assertThat(ledger.committedSeq()).as("pinned just before the open intent").isEqualTo(slowSeq - 1);
      int pinnedSegments = segments().size();
      long pinnedBytes = ledger.status().diskBytes();
      assertThat(pinnedSegments).isGreaterThan(10);

      clock.advance(Ledger.CARRY_AFTER.minusSeconds(1));
      flush(ledger);
      assertThat(segments()).as("not yet old enough to carry").hasSize(pinnedSegments);

      clock.advance(Duration.ofSeconds(2));
      flush(ledger); // carries the intent to the head of the log; the segments behind it may go
      assertThat(segments()).hasSizeLessThanOrEqualTo(2);
      assertThat(ledger.status().diskBytes()).isLessThan(pinnedBytes / 5);
      drain(ledger); // reads the copy: now the copy pins
      assertThat(ledger.committedSeq()).isLessThan(ledger.durableSeq());

      ledger.end(event(slow)).join();
      drain(ledger);
      assertThat(ledger.committedSeq()).isEqualTo(ledger.durableSeq());
      assertThat(sink.stored.get("slow").status()).isEqualTo("ok");
    }
    try (Ledger reopened = open(1000)) {
      drain(reopened);
      assertThat(reopened.status().interrupted()).as("the carried call ended: nothing to bill again").isZero();
    }
    assertThat(sink.stored).hasSize(201);
    assertThat(sink.duplicates()).isEmpty();
  }

  /**
   * A carried intent whose call ended before the copy was read, with the database failing the batch that
   * holds both: the retry must not leave the copy open (it pinned the log for good and was billed again
   * as interrupted at the next start).
   */
  @Test
  void aFailedBatchHoldingACarriedCallsEndAndItsCopyLeavesNothingOpen() {
    try (Ledger ledger = open(4)) {
      CallIntent slow = intent("slow");
      ledger.begin(slow).join();                 // 1
      CallIntent other = intent("other");
      ledger.begin(other).join();                // 2
      ledger.end(event(other)).join();           // 3
      clock.advance(Ledger.CARRY_AFTER.plusSeconds(1));
      flush(ledger);                        // reads 1-3, the end of the log: carries "slow", its copy is 4
      assertThat(ledger.durableSeq()).isEqualTo(4);
      ledger.end(event(slow)).join();            // 5

      sink.down = true;
      assertThatThrownBy(() -> flush(ledger)).isInstanceOf(RuntimeException.class); // reads 4-5, batch refused
      sink.down = false;
      drain(ledger);
      assertThat(ledger.committedSeq()).as("nothing left open").isEqualTo(ledger.durableSeq());
    }
    try (Ledger reopened = open(3)) {
      drain(reopened);
      assertThat(reopened.status().interrupted()).isZero();
    }
    assertThat(sink.stored.keySet()).containsExactlyInAnyOrder("slow", "other");
    assertThat(sink.stored.get("slow").status()).isEqualTo("ok");
    assertThat(sink.duplicates()).isEmpty();
  }

  // ---------------------------------------------------------------- the database down

  @Test
  void anOldBacklogDrainsWithoutCarryingTheIntentsWhoseEndsAreStillUnread() {
    try (Ledger ledger = open(50)) {
      List<CallIntent> intents = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        intents.add(intent("late-" + i));
        ledger.begin(intents.getLast()).join();
      }
      for (CallIntent intent : intents) {
        ledger.end(event(intent)).join();
      }
      clock.advance(Ledger.CARRY_AFTER.multipliedBy(2)); // a long outage: every intent is old
      drain(ledger);
      // Copies would have cost an fsync each and held the drain to a crawl (seen in the benchmark).
      assertThat(ledger.durableSeq()).isEqualTo(400);
      assertThat(ledger.committedSeq()).isEqualTo(400);
      assertThat(sink.stored).hasSize(200);
    }
  }

  @Test
  void whileTheDatabaseIsDownTheBacklogIsKeptAndReportedThenDrainsOnce() {
    try (Ledger ledger = open(8)) {
      sink.down = true;
      for (int i = 0; i < 20; i++) {
        call(ledger, "c" + i);
      }
      for (int pass = 0; pass < 3; pass++) {
        assertThatThrownBy(() -> flush(ledger)).isInstanceOf(RuntimeException.class);
        clock.advance(Duration.ofSeconds(5));
      }
      LedgerStatus down = ledger.status();
      assertThat(down.lagEvents()).isEqualTo(20);
      assertThat(down.lagAge()).isEqualTo(Duration.ofSeconds(15));
      assertThat(down.databaseHealthy()).isFalse();
      assertThat(down.failedBatches()).isEqualTo(3);
      assertThat(ledger.committedSeq()).isZero();
      clock.advance(Duration.ofSeconds(5));
      assertThat(ledger.status().lagAge()).as("grows with time").isEqualTo(Duration.ofSeconds(20));
      assertThat(sink.stored).isEmpty();

      sink.down = false;
      drain(ledger);
      LedgerStatus up = ledger.status();
      assertThat(up.lagEvents()).isZero();
      assertThat(up.lagAge()).isZero();
      assertThat(up.databaseHealthy()).isTrue();
      assertThat(sink.stored).hasSize(20);
      assertThat(sink.duplicates()).isEmpty();
      assertThat(ledger.committedSeq()).isEqualTo(ledger.durableSeq());
    }
  }

  /**
   * The real flusher thread, with 16 threads making calls while the database flaps: each event reaches
   * it exactly once, and close() leaves nothing behind.
   */
  @Test
  void underConcurrentCallsAndAFlappingDatabaseEveryEventIsInsertedExactlyOnce() throws Exception {
    int threads = 16;
    int perThread = 150;
    // Intents forced before each call goes on, so that calls last long enough for the database to flap under them.
    Ledger ledger = Ledger.open(new LedgerConfig(new WalConfig(dir, 16 * 1024, Duration.ofMillis(1), 1 << 20,
        1 << 24, 0), 64, Duration.ofMillis(2), true), sink, clock);
    ledger.start();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<String> abandoned = Collections.synchronizedList(new ArrayList<>());
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        pool.submit(() -> {
          Random random = new Random(thread);
          for (int i = 0; i < perThread; i++) {
            CallIntent intent = intent(thread + "-" + i);
            ledger.begin(intent).join();
            if (random.nextInt(10) == 0) {
              ledger.abandon(intent.id());
              abandoned.add(intent.id());
            } else {
              ledger.end(event(intent)).join();
            }
            if (thread == 0 && i % 10 == 0) {
              sink.down = !sink.down; // flaps while the others keep calling
            }
          }
          return null;
        });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(45, TimeUnit.SECONDS)).isTrue();
      sink.down = false;
    } finally {
      pool.shutdownNow();
      ledger.close(Duration.ofSeconds(20));
    }
    int ended = threads * perThread - abandoned.size();
    assertThat(sink.refused.get()).as("the database really failed batches meanwhile").isPositive();
    assertThat(sink.stored).hasSize(ended);
    assertThat(sink.stored.keySet()).doesNotContainAnyElementsOf(abandoned);
    assertThat(sink.duplicates()).isEmpty();
    assertThat(ledger.status().lagEvents()).isZero();
    assertThat(ledger.unsettled()).isZero();
    try (Ledger reopened = open(64)) {
      assertThat(reopened.status().lagEvents()).isZero();
      drain(reopened);
      assertThat(reopened.status().interrupted()).isZero();
    }
    assertThat(sink.duplicates()).isEmpty();
  }

  // ---------------------------------------------------------------- restarts

  @Test
  void aCallWithAnIntentAndNoEndIsBilledOnceAsInterruptedAtTheNextStart() {
    CallIntent lost;
    try (Ledger ledger = open(100)) {
      call(ledger, "done");
      lost = intent("lost");
      ledger.begin(lost).join();
      CallIntent never = intent("never-sent");
      ledger.begin(never).join();
      ledger.abandon(never.id());
      drain(ledger);
    } // the "process" stops with "lost" in flight
    assertThat(sink.stored).containsOnlyKeys("done");

    try (Ledger restarted = open(100)) {
      assertThat(restarted.unsettled()).isZero();
      drain(restarted);
      assertThat(restarted.status().interrupted()).isEqualTo(1);
      assertThat(restarted.unsettled()).as("billing the last run's calls is not a call of this one").isZero();
      CallIntent next = intent("new");
      restarted.begin(next).join();
      assertThat(restarted.unsettled()).as("a call of this run in flight").isEqualTo(1);
      restarted.end(event(next)).join();
      assertThat(restarted.unsettled()).as("its event waits in the log").isEqualTo(1);
      drain(restarted);
      assertThat(restarted.unsettled()).isZero();
      assertThat(restarted.committedSeq()).isEqualTo(restarted.durableSeq());
    }
    try (Ledger again = open(100)) {
      drain(again);
      assertThat(again.status().interrupted()).as("billed once, not at every start").isZero();
    }
    UsageEvent billed = sink.stored.get("lost");
    assertThat(billed.status()).isEqualTo(CallIntent.INTERRUPTED);
    assertThat(billed.estimated()).isTrue();
    assertThat(billed.inputTokens()).isEqualTo(lost.promptTokens());
    assertThat(billed.outputTokens()).isZero();
    assertThat(billed.costMicros()).isEqualTo(lost.promptCostMicros());
    assertThat(billed.requestId()).isEqualTo(lost.requestId());
    assertThat(billed.teamId()).isEqualTo(lost.teamId());
    assertThat(sink.stored).containsOnlyKeys("done", "lost", "new");
    assertThat(sink.duplicates()).isEmpty();
  }

  @Test
  void aTornFinalRecordLosesOnlyThatRecordAndItsCallIsBilledAsInterrupted() throws IOException {
    try (Ledger ledger = open(100)) { // never flushed: everything waits in the log
      for (int i = 1; i <= 5; i++) {
        call(ledger, "c" + i);
      }
    }
    Path last = segments().getLast();
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 7); // a crash in the middle of writing c5's event
    }
    try (Ledger reopened = open(100)) {
      assertThat(reopened.status().lagEvents()).isEqualTo(4);
      drain(reopened);
      assertThat(reopened.status().unreadable()).isZero();
      assertThat(reopened.status().interrupted()).isEqualTo(1);
    }
    assertThat(sink.stored).containsOnlyKeys("c1", "c2", "c3", "c4", "c5");
    assertThat(sink.stored.values().stream().filter(e -> e.status().equals("ok")).map(UsageEvent::id))
        .containsExactlyInAnyOrder("c1", "c2", "c3", "c4");
    assertThat(sink.stored.get("c5").status()).isEqualTo(CallIntent.INTERRUPTED);
  }

  @Test
  void closeWritesEveryEventAlreadyInTheLog() {
    Ledger ledger = open(7);
    ledger.start();
    for (int i = 0; i < 100; i++) {
      call(ledger, "c" + i);
    }
    ledger.close(Duration.ofSeconds(10));
    assertThat(sink.stored).hasSize(100);
    assertThat(ledger.status().lagEvents()).isZero();
    assertThat(ledger.hasRoom()).as("a closed ledger takes no call").isFalse();
    try (Ledger reopened = open(7)) {
      assertThat(reopened.status().lagEvents()).isZero();
      assertThat(drain(reopened)).isZero();
    }
    assertThat(sink.duplicates()).isEmpty();
  }

  /**
   * Under a steady trickle of calls the running flusher waits out flush_interval at the end of the log, so that
   * a transaction takes what arrived meanwhile: not one per group commit (every millisecond here).
   */
  @Test
  void aRunningFlusherBatchesWhatArrivesWithinTheFlushIntervalNotEachGroupCommit() throws Exception {
    Ledger ledger = Ledger.open(new LedgerConfig(new WalConfig(dir, 1 << 20, Duration.ofMillis(1), 1 << 20, 1 << 24,
        0), 100_000, Duration.ofMillis(250)), sink, clock);
    ledger.start();
    int calls = 0;
    long until = System.nanoTime() + Duration.ofMillis(1200).toNanos();
    try {
      while (System.nanoTime() < until) {
        call(ledger, "c" + calls++);
        Thread.sleep(1);
      }
    } finally {
      ledger.close(Duration.ofSeconds(10));
    }
    assertThat(sink.stored).hasSize(calls);
    assertThat(sink.duplicates()).isEmpty();
    // 1.2 s at one look every 250 ms: about 5 transactions, and a last one at close. Going round at once after
    // each batch made one of every group commit or two: far more than 10 here.
    assertThat(sink.batches).as("batches of %d calls", calls).hasSizeLessThanOrEqualTo(10);
  }

  @Test
  void closeWithTheDatabaseDownGivesUpAfterItsTimeoutAndTheNextStartWritesTheEvents() {
    Ledger ledger = open(100);
    ledger.start();
    sink.down = true;
    for (int i = 0; i < 10; i++) {
      call(ledger, "c" + i);
    }
    long started = System.nanoTime();
    ledger.close(Duration.ofMillis(300));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(sink.stored).isEmpty();
    sink.down = false;
    try (Ledger reopened = open(100)) {
      assertThat(reopened.status().lagEvents()).isEqualTo(10);
      drain(reopened);
    }
    assertThat(sink.stored).hasSize(10);
    assertThat(sink.duplicates()).isEmpty();
  }
}
