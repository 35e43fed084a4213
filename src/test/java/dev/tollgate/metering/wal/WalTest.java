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
 * restarts; a future completes only after its fsync; appends share fsyncs; the disk cap refuses with a
 * typed exception until commits free space; sequence numbers stay unique under concurrency.
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
  void aWriteCompletesOnceWrittenAndBecomesDurableAtTheNextForce() throws Exception {
    HookedOpener opener = new HookedOpener();
    CountDownLatch inForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Wal wal = open(config(dir, 1 << 20, Duration.ofMillis(50), 1 << 20, 16 << 20, 0), opener);
    stallForces(opener, inForce, release);
    long start = System.nanoTime();
    assertThat(wal.write("written".getBytes(UTF_8)).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held for the 50 ms group commit")
        .isLessThan(Duration.ofMillis(40));
    assertThat(Files.readAllBytes(dir.resolve(Frames.segmentName(1)))).as("in the file already")
        .hasSizeGreaterThan(Frames.HEADER_BYTES + Frames.OVERHEAD);
    CompletableFuture<Long> synced = wal.sync();
    assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(synced).isNotDone();
    assertThat(wal.durableSeq()).isZero();
    assertThat(replayAll(wal, 0)).as("replay only shows durable records").isEmpty();
    release.countDown();
    assertThat(synced.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    assertThat(wal.write("second".getBytes(UTF_8)).get(10, TimeUnit.SECONDS)).isEqualTo(2L);
    assertThat(wal.sync().get(10, TimeUnit.SECONDS)).isEqualTo(2L);
    assertThat(replayAll(wal, 0)).extracting(WalRecord::seq).containsExactly(1L, 2L);
  }

  @Test
  void aRecordNobodyWaitsForIsWrittenWithinAMillisecondNotTheCommitInterval() throws Exception {
    Wal wal = open(config(dir, 1 << 20, Duration.ofSeconds(1), 1 << 20, 16 << 20, 0));
    wal.append("forced".getBytes(UTF_8)).get(10, TimeUnit.SECONDS); // the 1 s interval starts again here
    long start = System.nanoTime();
    assertThat(wal.writeLater("later".getBytes(UTF_8)).get(10, TimeUnit.SECONDS)).isEqualTo(2L);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held for the group commit")
        .isLessThan(Duration.ofMillis(500));
    assertThat(Files.size(dir.resolve(Frames.segmentName(1)))).as("in the file")
        .isEqualTo(Frames.HEADER_BYTES + 2L * Frames.OVERHEAD + "forced".length() + "later".length());
    assertThat(wal.write("waited".getBytes(UTF_8)).get(10, TimeUnit.SECONDS)).isEqualTo(3L);
    assertThat(wal.sync().get(10, TimeUnit.SECONDS)).isEqualTo(3L);
    assertThat(replayAll(wal, 0)).extracting(r -> new String(r.payload(), UTF_8))
        .containsExactly("forced", "later", "waited");
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
    assertThat(again.recovery()).isEqualTo(new RecoveryReport(List.of(), 40, 60, 101));
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
