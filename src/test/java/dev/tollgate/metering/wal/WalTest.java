package dev.tollgate.metering.wal;

import dev.tollgate.testing.ManualClock;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL's contract while running: records come back as appended, in order, across rotations and
 * restarts; an append's future completes only after its fsync, a write's at once from the intake; appends
 * share fsyncs; the disk cap refuses with a typed exception until commits free space; sequence numbers stay
 * unique and the order of storing is kept under concurrency.
 */
@Timeout(60)
class WalTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private final List<Wal> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(Wal::close);
  }

  static WalConfig config(Path dir, long segmentBytes, Duration interval, long commitBytes, long maxDisk,
      long headroom) {
    return new WalConfig(dir, segmentBytes, interval, commitBytes, maxDisk, headroom);
  }

  private Wal open(WalConfig config) {
    return open(config, ChannelOpener.standard());
  }

  private Wal open(WalConfig config, ChannelOpener opener) {
    Wal wal = Wal.open(config, clock, opener);
    opened.add(wal);
    return wal;
  }

  private Wal open(WalConfig config, ChannelOpener opener, long intakeBytes) {
    Wal wal = Wal.open(config, clock, opener, intakeBytes);
    opened.add(wal);
    return wal;
  }

  private WalConfig small() {
    return config(dir, 1024, Duration.ZERO, 1, 1 << 20, 0);
  }

  static byte[] payload(long n, Random random) {
    byte[] pad = new byte[random.nextInt(120)];
    random.nextBytes(pad);
    byte[] head = ("record-" + n + ":").getBytes(UTF_8);
    byte[] out = new byte[head.length + pad.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(pad, 0, out, head.length, pad.length);
    return out;
  }

  static List<WalRecord> replayAll(Wal wal, long afterSeq) {
    List<WalRecord> out = new ArrayList<>();
    wal.replay(afterSeq, out::add);
    return out;
  }

  static long segmentCount(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Frames.firstSeqOf(p) >= 0).count();
    }
  }

  /** Makes every force of a segment signal {@code inForce}, then wait for {@code release}. */
  private static void stallForces(HookedOpener opener, CountDownLatch inForce, CountDownLatch release) {
    opener.hook = path -> {
      inForce.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
    };
  }

  // ---------------------------------------------------------------- round trip

  @Test
  void recordsComeBackInOrderAcrossRotationsAndAReopen() throws IOException {
    Random random = new Random(42);
    List<byte[]> written = new ArrayList<>();
    Wal wal = open(small());
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] p = payload(i, random);
      written.add(p);
      clock.advance(1);
      futures.add(wal.append(p));
    }
    assertThat(futures.stream().map(CompletableFuture::join).toList())
        .containsExactlyElementsOf(Stream.iterate(1L, s -> s + 1).limit(500).toList());
    assertThat(segmentCount(dir)).as("segments of 1 KiB hold a few records each").isGreaterThan(20);

    for (List<WalRecord> replayed : List.of(replayAll(wal, 0), reopenAndReplay(wal))) {
      assertThat(replayed).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertThat(replayed.get(i).seq()).isEqualTo(i + 1);
        assertThat(replayed.get(i).payload()).isEqualTo(written.get(i));
        assertThat(replayed.get(i).appendedAtMillis()).isEqualTo(1_000_001 + i);
      }
    }
  }

  private List<WalRecord> reopenAndReplay(Wal wal) {
    wal.close();
    Wal again = open(small());
    assertThat(again.recovery().clean()).isTrue();
    assertThat(again.recovery().uncommittedRecords()).isEqualTo(500);
    return replayAll(again, 0);
  }

  @Test
  void appendAllGivesConsecutiveSequenceNumbersInOrder() {
    Wal wal = open(small());
    wal.append("a".getBytes(UTF_8)).join();
    List<Long> seqs = wal.appendAll(List.of("b".getBytes(UTF_8), "c".getBytes(UTF_8), "d".getBytes(UTF_8))).join();
    assertThat(seqs).containsExactly(2L, 3L, 4L);
    assertThat(replayAll(wal, 1)).extracting(r -> new String(r.payload(), UTF_8)).containsExactly("b", "c", "d");
    assertThat(wal.appendAll(List.of()).join()).isEmpty();
  }

  @Test
  void replayFromAnyPositionWithAnyLimitReturnsExactlyThatSlice() {
    Random random = new Random(7);
    Wal wal = open(small());
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      written.add(payload(i, random));
    }
    wal.appendAll(written).join();
    for (int trial = 0; trial < 200; trial++) {
      long after = random.nextInt(1_010);
      long max = random.nextInt(300);
      List<WalRecord> got = new ArrayList<>();
      long n = wal.replay(after, max, got::add);
      long expected = Math.max(0, Math.min(max, 1_000 - after));
      assertThat(n).as("after %d max %d", after, max).isEqualTo(expected).isEqualTo(got.size());
      for (int k = 0; k < got.size(); k++) {
        assertThat(got.get(k).seq()).isEqualTo(after + 1 + k);
        assertThat(got.get(k).payload()).isEqualTo(written.get((int) after + k));
      }
    }
  }

  @Test
  void aRecordTooLargeForASegmentIsRefusedAtTheCall() {
    Wal wal = open(small());
    assertThatThrownBy(() -> wal.append(new byte[1024 - 16 - 24 + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit a segment");
    assertThat(wal.append(new byte[1024 - 16 - 24]).join()).isEqualTo(1L);
  }

  // ---------------------------------------------------------------- durability and group commit

  @Test
  void aFutureCompletesOnlyAfterItsRecordWasForced() throws Exception {
    HookedOpener opener = new HookedOpener();
    CountDownLatch inForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Wal wal = open(small(), opener);
    stallForces(opener, inForce, release);
    CompletableFuture<Long> future = wal.append("durable".getBytes(UTF_8));
    assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
    // The writer sits in force(): the bytes are written, but not yet acknowledged.
    assertThat(future).isNotDone();
    assertThat(wal.durableSeq()).isZero();
    assertThat(replayAll(wal, 0)).as("replay only shows durable records").isEmpty();
    release.countDown();
    assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    assertThat(wal.durableSeq()).isEqualTo(1L);
  }

  @Test
  void aWriteIsCompleteOnReturnWithoutTheWriterAndReplayableAfterTheNextGroupCommit() throws Exception {
    HookedOpener opener = new HookedOpener();
    CountDownLatch inForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Wal wal = open(config(dir, 1 << 20, Duration.ofMillis(50), 1 << 20, 16 << 20, 0), opener);
    stallForces(opener, inForce, release);
    CompletableFuture<Long> first = wal.append("first".getBytes(UTF_8));
    try {
      assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
      // The writer sits in force(): it takes nothing until released.
      long segmentBytes = Files.size(dir.resolve(Frames.segmentName(1)));
      CompletableFuture<Void> written = wal.write("written".getBytes(UTF_8));
      CompletableFuture<Void> later = wal.writeLater("later".getBytes(UTF_8));
      assertThat(written).as("complete on return").isCompleted();
      assertThat(later).as("complete on return").isCompleted();
      assertThat(Files.size(dir.resolve(Frames.segmentName(1)))).as("not in a segment yet").isEqualTo(segmentBytes);
      assertThat(intakeHolds(dir, "written")).as("in the intake's file").isTrue();
      assertThat(intakeHolds(dir, "later")).isTrue();
      assertThat(replayAll(wal, 0)).as("replay only shows durable records").isEmpty();
    } finally {
      release.countDown(); // a failed assertion must not leave the writer stuck for close()
    }
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    assertThat(wal.sync().get(10, TimeUnit.SECONDS)).isEqualTo(3L);
    assertThat(replayAll(wal, 0)).extracting(r -> new String(r.payload(), UTF_8))
        .containsExactly("first", "written", "later");
  }

  /** Whether the intake file holds {@code text} anywhere (its page cache, as a crash would leave it). */
  static boolean intakeHolds(Path dir, String text) throws IOException {
    return new String(Files.readAllBytes(dir.resolve(IntakeRing.FILE)), java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains(text);
  }

  @Test
  void theWriterTakesTheIntakesRecordsAtTheGroupCommitWithoutBeingAsked() {
    // Nothing else happens: the writer sleeps idle until the first record, and must be woken for it once.
    Wal wal = open(config(dir, 1 << 20, Duration.ofMillis(20), 1 << 20, 16 << 20, 0));
    for (int i = 0; i < 3; i++) {
      long before = wal.durableSeq();
      assertThat(wal.writeLater(("r" + i).getBytes(UTF_8))).isCompleted();
      await().atMost(Duration.ofSeconds(10)).until(() -> wal.durableSeq() == before + 1);
    }
    assertThat(replayAll(wal, 0)).extracting(r -> new String(r.payload(), UTF_8)).containsExactly("r0", "r1", "r2");
  }

  @Test
  void aWriteLaterTheIntakeCannotTakeIsWrittenWithinAMillisecondNotTheCommitInterval() throws Exception {
    Wal wal = open(config(dir, 1 << 20, Duration.ofSeconds(1), 1 << 20, 16 << 20, 0), ChannelOpener.standard(), 64);
    wal.append("forced".getBytes(UTF_8)).get(10, TimeUnit.SECONDS); // the 1 s interval starts again here
    byte[] large = "q".repeat(100).getBytes(UTF_8); // more than the 64-byte intake: queued
    long start = System.nanoTime();
    wal.writeLater(large).get(10, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held for the group commit")
        .isLessThan(Duration.ofMillis(500));
    assertThat(Files.size(dir.resolve(Frames.segmentName(1)))).as("in the file")
        .isEqualTo(Frames.HEADER_BYTES + 2L * Frames.OVERHEAD + "forced".length() + large.length);
    assertThat(intakeHolds(dir, "q".repeat(100))).as("never in the intake").isFalse();
    wal.write(large).get(10, TimeUnit.SECONDS);
    assertThat(wal.sync().get(10, TimeUnit.SECONDS)).isEqualTo(3L);
  }

  /**
   * A 4 KiB intake with the writer stalled: records fill it, the next are queued, and a small one that would
   * still fit in it is queued too, so that the log has them in the order they were stored.
   */
  @Test
  void recordsTheIntakeHasNoRoomForAreQueuedAndTheLogKeepsTheOrderTheyWereStoredIn() throws Exception {
    HookedOpener opener = new HookedOpener();
    CountDownLatch inForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Wal wal = open(config(dir, 1 << 20, Duration.ofMillis(5), 1 << 20, 16 << 20, 0), opener, 4096);
    stallForces(opener, inForce, release);
    wal.append("first".getBytes(UTF_8));
    List<String> stored = new ArrayList<>();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    CompletableFuture<Void> small;
    try {
      assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
      int atOnce = 0;
      for (int i = 0; i < 30; i++) {
        String text = "%03d:".formatted(i) + "x".repeat(172); // 176 bytes, a 200-byte frame: 20 fill the intake
        stored.add(text);
        CompletableFuture<Void> f = i % 3 == 0 ? wal.writeLater(text.getBytes(UTF_8)) : wal.write(text.getBytes(UTF_8));
        futures.add(f);
        atOnce += f.isDone() ? 1 : 0;
      }
      assertThat(atOnce).as("the records that fit the intake are complete at once").isEqualTo(20);
      small = wal.write("small".getBytes(UTF_8)); // 29 bytes: 96 are left in the intake
      stored.add("small");
      assertThat(small).as("queued behind the others, although it would fit").isNotDone();
    } finally {
      release.countDown();
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    small.get(10, TimeUnit.SECONDS);
    wal.sync().get(10, TimeUnit.SECONDS);
    List<String> replayed = replayAll(wal, 1).stream().map(r -> new String(r.payload(), UTF_8)).toList();
    assertThat(replayed).containsExactlyElementsOf(stored);
  }

  @Test
  void appendsQueuedDuringAnFsyncShareTheNextOne() throws Exception {
    HookedOpener opener = new HookedOpener();
    CountDownLatch inForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Wal wal = open(config(dir, 1 << 20, Duration.ZERO, 1, 16 << 20, 0), opener);
    stallForces(opener, inForce, release);
    CompletableFuture<Long> first = wal.append("first".getBytes(UTF_8));
    assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
    int before = opener.segmentForces.get();
    List<CompletableFuture<Long>> queued = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      queued.add(wal.append(("queued-" + i).getBytes(UTF_8)));
    }
    release.countDown();
    CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(first.join()).isEqualTo(1L);
    // One force finished the first append, one more covers all 1,000 queued behind it.
    assertThat(opener.segmentForces.get() - before).isEqualTo(2);
  }

  @Test
  void commitBytesTriggerAnFsyncWithoutWaitingForTheInterval() {
    HookedOpener opener = new HookedOpener();
    byte[] payload = new byte[76]; // a 100-byte frame
    Wal wal = open(config(dir, 1 << 20, Duration.ofSeconds(1), 10 * 100, 16 << 20, 0), opener);
    int before = opener.segmentForces.get();
    long start = System.nanoTime();
    for (int round = 0; round < 5; round++) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        futures.add(wal.append(payload));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    }
    // Waiting for the 1 s interval instead would take 5 s and a force per round could not hold 10 records.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
    assertThat(opener.segmentForces.get() - before).isEqualTo(5);
  }

  @Test
  void aFailedFsyncFailsTheAppendAndStopsTheLog() {
    HookedOpener opener = new HookedOpener();
    Wal wal = open(small(), opener);
    wal.append("ok".getBytes(UTF_8)).join();
    opener.hook = path -> {
      throw new IOException("EIO");
    };
    CompletableFuture<Long> failed = wal.append("lost".getBytes(UTF_8));
    assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(WalFailedException.class).hasRootCauseMessage("EIO");
    opener.hook = path -> {}; // a later fsync that would succeed must not be trusted
    assertThat(wal.failed()).isTrue();
    assertThat(wal.hasRoom(10)).isFalse();
    assertThatThrownBy(() -> wal.append("after".getBytes(UTF_8)).join()).hasCauseInstanceOf(WalFailedException.class);
    CompletableFuture<Void> write = wal.write("after".getBytes(UTF_8));
    assertThat(write).as("refused at once, not stored in the intake").isCompletedExceptionally();
    assertThatThrownBy(write::join).hasCauseInstanceOf(WalFailedException.class);
    assertThatThrownBy(() -> wal.writeLater("after".getBytes(UTF_8)).join())
        .hasCauseInstanceOf(WalFailedException.class);
  }

  @Test
  void closeMakesQueuedAppendsDurableAndRefusesNewOnes() {
    Wal wal = open(config(dir, 1 << 20, Duration.ofSeconds(1), 1 << 20, 16 << 20, 0));
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(wal.append(("r" + i).getBytes(UTF_8)));
    }
    wal.close();
    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThatThrownBy(() -> wal.append("late".getBytes(UTF_8)).join()).hasCauseInstanceOf(WalClosedException.class);
    wal.close(); // idempotent
    Wal again = open(small());
    assertThat(replayAll(again, 0)).hasSize(100);
  }

  @Test
  void closeWritesAndForcesWhatTheIntakeHolds() throws IOException {
    Wal wal = open(config(dir, 1 << 20, Duration.ofSeconds(1), 1 << 20, 16 << 20, 0));
    for (int i = 0; i < 100; i++) {
      assertThat(wal.write(("r" + i).getBytes(UTF_8))).isCompleted();
    }
    assertThat(Files.size(dir.resolve(Frames.segmentName(1)))).as("only in the intake before close")
        .isEqualTo(Frames.HEADER_BYTES);
    wal.close();
    assertThatThrownBy(() -> wal.write("late".getBytes(UTF_8)).join()).hasCauseInstanceOf(WalClosedException.class);
    Wal again = open(small());
    assertThat(again.recovery().intakeRecords()).as("nothing left in the intake").isZero();
    assertThat(again.recovery().intakeRecordsInSegments()).isZero();
    assertThat(replayAll(again, 0)).extracting(r -> new String(r.payload(), UTF_8))
        .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(100).map(i -> "r" + i).toList());
  }

  /**
   * Threads write until the log refuses them while it is closed under them: each record is either
   * acknowledged and in the log after a reopen, or refused with {@link WalClosedException} and not there.
   */
  @Test
  void writesRacingWithCloseAreWrittenOrRefusedNeverAcknowledgedAndLost() throws Exception {
    int threads = 8;
    Wal wal = open(config(dir, 64 * 1024, Duration.ofMillis(200), 1 << 20, 256L << 20, 0), ChannelOpener.standard(),
        64 * 1024);
    Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    CountDownLatch running = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      pool.submit(() -> {
        for (int i = 0; ; i++) {
          String text = thread + ":" + i;
          byte[] bytes = text.getBytes(UTF_8);
          CompletableFuture<Void> f = i % 2 == 0 ? wal.write(bytes) : wal.writeLater(bytes);
          try {
            f.get(20, TimeUnit.SECONDS);
            acknowledged.add(text);
          } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WalClosedException.class);
            refused.add(text);
            return null;
          }
          if (i == 100) {
            running.countDown();
          }
        }
      });
    }
    assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
    wal.close();
    pool.shutdown();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(refused).as("every thread was refused once, by the close").hasSize(threads);
    Wal again = open(small());
    assertThat(again.recovery().intakeRecords()).as("close drained the intake").isZero();
    Set<String> replayed = new HashSet<>();
    replayAll(again, 0).forEach(r -> assertThat(replayed.add(new String(r.payload(), UTF_8))).isTrue());
    assertThat(replayed).isEqualTo(acknowledged);
  }

  @Test
  void aSecondWalOnTheSameDirectoryIsRefused() {
    open(small());
    assertThatThrownBy(() -> open(small())).isInstanceOf(WalFailedException.class).hasMessageContaining("in use");
  }

  // ---------------------------------------------------------------- disk cap

  @Test
  void pastTheCapAppendsAreRefusedUntilCommitsFreeSpace() {
    // 1 KiB segments, cap 4 KiB: frames of 100 bytes, 10 per segment.
    Wal wal = open(config(dir, 1024, Duration.ZERO, 1, 4096, 1024));
    byte[] payload = new byte[76];
    long last = 0;
    WalFullException refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      CompletableFuture<Long> f = wal.append(payload);
      try {
        last = f.join();
      } catch (CompletionException e) {
        refused = (WalFullException) e.getCause();
      }
    }
    assertThat(refused).as("the cap is reached").isNotNull();
    assertThat(refused.requestedBytes()).isEqualTo(100);
    assertThat(refused.maxBytes()).isEqualTo(4096);
    assertThat(refused.usedBytes() + 100).isGreaterThan(4096);
    assertThat(wal.diskBytes()).isLessThanOrEqualTo(4096);
    assertThat(last).isBetween(36L, 40L);
    assertThat(wal.hasRoom(76)).isFalse();

    wal.markCommitted(last);
    assertThat(wal.diskBytes()).as("sealed segments deleted, the active one stays").isLessThan(1024);
    assertThat(wal.hasRoom(76)).isTrue();
    assertThat(wal.append(payload).join()).isEqualTo(last + 1);
    assertThat(replayAll(wal, wal.committedSeq())).extracting(WalRecord::seq).containsExactly(last + 1);
  }

  @Test
  void theDiskCapRefusesAWriteAtOnceBeforeItReachesTheIntake() {
    Wal wal = open(config(dir, 1024, Duration.ofMillis(5), 1 << 20, 4096, 1024));
    byte[] payload = new byte[76]; // a 100-byte frame
    CompletableFuture<Void> refused = null;
    int stored = 0;
    while (refused == null && stored < 100) {
      CompletableFuture<Void> f = wal.write(payload);
      if (f.isCompletedExceptionally()) {
        refused = f;
      } else {
        assertThat(f).as("stored in the intake").isCompleted();
        stored++;
      }
    }
    assertThat(refused).as("the cap is reached").isNotNull();
    assertThatThrownBy(refused::join).cause().isInstanceOfSatisfying(WalFullException.class,
        full -> assertThat(full.requestedBytes()).isEqualTo(100));
    assertThat(wal.diskBytes()).isLessThanOrEqualTo(4096);
    assertThatThrownBy(() -> wal.writeLater(payload).join()).hasCauseInstanceOf(WalFullException.class);
    wal.sync().join();
    assertThat(wal.durableSeq()).as("only what was accepted").isEqualTo(stored);
    wal.markCommitted(wal.durableSeq());
    assertThat(wal.write(payload)).isCompleted();
    wal.sync().join();
    assertThat(wal.durableSeq()).isEqualTo(stored + 1);
  }

  @Test
  void hasRoomRefusesAdmissionAHeadroomBelowTheCap() {
    Wal wal = open(config(dir, 1024, Duration.ZERO, 1, 4096, 1024));
    byte[] payload = new byte[76];
    while (wal.hasRoom(76)) {
      wal.append(payload).join();
    }
    // Admission is closed but the usage of calls already admitted still fits under the cap.
    assertThat(wal.diskBytes() + 100).isGreaterThan(4096 - 1024);
    for (int i = 0; i < 5; i++) {
      wal.append(payload).join();
    }
  }

  // ---------------------------------------------------------------- commits and restart

  @Test
  void aRestartReplaysExactlyTheUncommittedRecordsOnce() {
    Wal wal = open(small());
    for (int i = 1; i <= 100; i++) {
      clock.set(5_000 + i);
      wal.append(("r" + i).getBytes(UTF_8)).join();
    }
    wal.markCommitted(60);
    assertThat(wal.lag()).isEqualTo(new WalLag(40, java.util.Optional.of(Instant.ofEpochMilli(5_061))));
    wal.close();

    Wal again = open(small());
    assertThat(again.recovery()).isEqualTo(new RecoveryReport(List.of(), 40, 60, 101, 0, 0));
    assertThat(again.committedSeq()).isEqualTo(60);
    assertThat(again.lag().events()).isEqualTo(40);
    assertThat(again.lag().oldestUncommitted()).contains(Instant.ofEpochMilli(5_061));
    assertThat(again.lag().age(Instant.ofEpochMilli(6_061))).isEqualTo(Duration.ofSeconds(1));
    List<WalRecord> replayed = replayAll(again, again.committedSeq());
    assertThat(replayed).extracting(r -> new String(r.payload(), UTF_8))
        .containsExactlyElementsOf(Stream.iterate(61, i -> i + 1).limit(40).map(i -> "r" + i).toList());
    again.markCommitted(replayed.getLast().seq());
    assertThat(again.lag()).isEqualTo(new WalLag(0, java.util.Optional.empty()));
    again.close();

    Wal third = open(small());
    assertThat(replayAll(third, third.committedSeq())).isEmpty();
    assertThat(third.append("next".getBytes(UTF_8)).join()).as("sequence numbers are never reused").isEqualTo(101L);
  }

  @Test
  void commitsNeverMoveBackAndNeverPassTheDurableRecords() {
    Wal wal = open(small());
    for (int i = 0; i < 10; i++) {
      wal.append(new byte[10]).join();
    }
    assertThatThrownBy(() -> wal.markCommitted(11)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("last durable record is 10");
    wal.markCommitted(8);
    wal.markCommitted(3);
    assertThat(wal.committedSeq()).isEqualTo(8);
    assertThat(wal.lag().events()).isEqualTo(2);
  }

  @Test
  void committedSegmentsAreDeletedAndTheActiveOneIsKept() throws IOException {
    Wal wal = open(small());
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(new byte[50]);
    }
    List<Long> seqs = wal.appendAll(records).join();
    long before = segmentCount(dir);
    wal.markCommitted(100);
    long middle = segmentCount(dir);
    assertThat(replayAll(wal, 100)).extracting(WalRecord::seq).first().isEqualTo(101L);
    wal.markCommitted(seqs.getLast());
    assertThat(before).isGreaterThan(middle);
    assertThat(middle).isGreaterThan(1);
    assertThat(segmentCount(dir)).isEqualTo(1);
  }

  @Test
  void theCheckpointIsWrittenBeforeASegmentGoesAndOtherwiseAtMostOnceASecondAndAtClose() throws IOException {
    Wal wal = open(config(dir, 1024, Duration.ZERO, 1, 1 << 20, 0)); // frames of 100 bytes, 10 a segment
    byte[] payload = new byte[76];
    for (int i = 0; i < 25; i++) {
      wal.append(payload).join();
    }
    wal.markCommitted(5);
    assertThat(wal.committedSeq()).isEqualTo(5);
    assertThat(Checkpoint.read(dir)).as("no segment freed, a second not passed: not written yet").isZero();
    assertThat(segmentCount(dir)).isEqualTo(3);

    wal.markCommitted(12);
    assertThat(Checkpoint.read(dir)).as("written before the first segment was deleted").isEqualTo(12);
    assertThat(segmentCount(dir)).isEqualTo(2);

    wal.markCommitted(15);
    assertThat(Checkpoint.read(dir)).isEqualTo(12);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
      wal.append(payload).join();
      wal.markCommitted(wal.committedSeq() + 1);
      return Checkpoint.read(dir) > 12;
    });
    long persisted = Checkpoint.read(dir);
    assertThat(persisted).isLessThanOrEqualTo(wal.committedSeq());

    wal.markCommitted(wal.committedSeq() + 1);
    long committed = wal.committedSeq();
    long last = wal.durableSeq();
    wal.close();
    assertThat(Checkpoint.read(dir)).as("close writes the position it reached").isEqualTo(committed);
    Wal again = open(small());
    assertThat(again.recovery().committedSeq()).isEqualTo(committed);
    assertThat(again.lag().events()).as("only what was not committed is replayed").isEqualTo(last - committed);
  }

  // ---------------------------------------------------------------- concurrency

  /**
   * 16 threads write through a 16 KiB intake (it wraps and fills over and over, so records also go through
   * the queue): each record is in the log once, and each thread's in the order it wrote them.
   */
  @Test
  void recordsWrittenFromManyThreadsAreInTheLogOnceEachInEveryThreadsOrder() throws Exception {
    int threads = 16;
    int perThread = 2_000;
    Wal wal = open(config(dir, 64 * 1024, Duration.ofMillis(1), 1 << 20, 256L << 20, 0), ChannelOpener.standard(),
        16 * 1024);
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<int[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        Random random = new Random(thread);
        start.await();
        List<CompletableFuture<?>> mine = new ArrayList<>();
        int atOnce = 0;
        for (int i = 0; i < perThread; i++) {
          byte[] text = (thread + ":" + i + ":" + "x".repeat(random.nextInt(200))).getBytes(UTF_8);
          CompletableFuture<?> f = switch (random.nextInt(10)) {
            case 0 -> wal.append(text);
            case 1, 2, 3 -> wal.writeLater(text);
            default -> wal.write(text);
          };
          atOnce += f.isDone() ? 1 : 0;
          mine.add(f);
        }
        for (CompletableFuture<?> f : mine) {
          f.orTimeout(20, TimeUnit.SECONDS).join(); // a lost record fails in seconds, not at the suite timeout
        }
        return new int[] {atOnce};
      }));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
    int atOnce = 0;
    for (var r : results) {
      atOnce += r.get()[0];
    }
    // Proof that both ways were taken under contention: stored in the intake, and queued when it was full.
    assertThat(atOnce).isBetween(1, threads * perThread - 1);
    wal.sync().get(10, TimeUnit.SECONDS);
    List<WalRecord> replayed = replayAll(wal, 0);
    assertThat(replayed).hasSize(threads * perThread);
    int[] next = new int[threads];
    for (WalRecord r : replayed) {
      String[] parts = new String(r.payload(), UTF_8).split(":");
      int thread = Integer.parseInt(parts[0]);
      assertThat(Integer.parseInt(parts[1])).as("thread %d's next record", thread).isEqualTo(next[thread]++);
    }
  }

  @Test
  void concurrentAppendersGetUniqueSequenceNumbersAndEveryRecordIsReplayed() throws Exception {
    int threads = 16;
    int perThread = 1_000;
    Wal wal = open(config(dir, 64 * 1024, Duration.ofMillis(2), 1 << 20, 256L << 20, 0));
    CyclicBarrier start = new CyclicBarrier(threads);
    List<List<Long>> seqsByThread = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<List<Long>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        start.await();
        List<CompletableFuture<Long>> mine = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          mine.add(wal.append((thread + ":" + i).getBytes(UTF_8)));
          if (i % 100 == 99) {
            mine.getLast().join(); // a mix of waiting and pipelined callers
          }
        }
        // A lost record shows up as a future that never completes: fail in seconds, not at the suite timeout.
        return mine.stream().map(f -> f.orTimeout(20, TimeUnit.SECONDS).join()).toList();
      }));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
    for (var r : results) {
      seqsByThread.add(r.get());
    }
    Set<Long> all = new HashSet<>();
    seqsByThread.forEach(all::addAll);
    assertThat(all).hasSize(threads * perThread);
    assertThat(all).allMatch(s -> s >= 1 && s <= threads * perThread);
    // Each thread's records carry the sequence numbers its futures reported, in its own order.
    List<WalRecord> replayed = replayAll(wal, 0);
    assertThat(replayed).hasSize(threads * perThread);
    for (WalRecord r : replayed) {
      String[] parts = new String(r.payload(), UTF_8).split(":");
      assertThat(seqsByThread.get(Integer.parseInt(parts[0])).get(Integer.parseInt(parts[1]))).isEqualTo(r.seq());
    }
  }
}
