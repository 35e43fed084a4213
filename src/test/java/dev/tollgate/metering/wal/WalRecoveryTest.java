package dev.tollgate.metering.wal;

import dev.tollgate.testing.ManualClock;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What open does with damaged files: a torn final record is cut off and only that record is lost; bad
 * bytes inside a segment are reported with file and offset while the records around them are kept; an
 * unreadable header is quarantined; nothing is ever dropped without a {@link Damage} saying so.
 */
@Timeout(120)
class WalRecoveryTest {
  @TempDir Path root;
  private final ManualClock clock = new ManualClock(2_000_000);
  private int dirs;

  /** 1 KiB segments: with 50-byte payloads (74-byte frames) 13 records fit in one. */
  private static WalConfig config(Path dir) {
    return new WalConfig(dir, 1024, Duration.ZERO, 1, 1 << 20, 0);
  }

  private Path freshDir() {
    return root.resolve("wal-" + dirs++);
  }

  private static byte[] payload(long seq) {
    byte[] p = new byte[50];
    new Random(seq).nextBytes(p);
    byte[] tag = ("#" + seq).getBytes(UTF_8);
    System.arraycopy(tag, 0, p, 0, tag.length);
    return p;
  }

  /** Writes records 1..n, each {@link #payload(long)}, and closes the log. */
  private Path written(int n) {
    Path dir = freshDir();
    try (Wal wal = Wal.open(config(dir), clock)) {
      for (int i = 1; i <= n; i++) {
        wal.append(payload(i)).join();
      }
    }
    return dir;
  }

  private static Path segment(Path dir, long firstSeq) {
    return dir.resolve(Frames.segmentName(firstSeq));
  }

  /** Start offsets of the records in a segment file, read from their length fields. */
  static List<Integer> recordOffsets(Path segment) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Integer> out = new ArrayList<>();
    for (int pos = Frames.HEADER_BYTES; pos < buf.limit(); pos += Frames.OVERHEAD + buf.getInt(pos)) {
      out.add(pos);
    }
    return out;
  }

  private static Path copyOf(Path dir, Path target) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    return target;
  }

  /** Opens, checks the report and the replay, appends one more, and closes. */
  private void assertRecovers(Path dir, List<Damage> damages, List<Long> replayed, long nextSeq) {
    try (Wal wal = Wal.open(config(dir), clock)) {
      assertThat(wal.recovery().damages()).isEqualTo(damages);
      List<WalRecord> records = WalTest.replayAll(wal, 0);
      assertThat(records).extracting(WalRecord::seq).containsExactlyElementsOf(replayed);
      for (WalRecord r : records) {
        assertThat(r.payload()).as("record %d", r.seq()).isEqualTo(payload(r.seq()));
      }
      assertThat(wal.recovery().nextSeq()).isEqualTo(nextSeq);
      assertThat(wal.append(payload(nextSeq)).join()).isEqualTo(nextSeq);
    }
    try (Wal wal = Wal.open(config(dir), clock)) {
      assertThat(wal.recovery().damages()).as("a repaired log opens clean").isEmpty();
    }
  }

  private static List<Long> seqs(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static List<Long> seqsWithout(long from, long to, long missing) {
    return LongStream.rangeClosed(from, to).filter(s -> s != missing).boxed().toList();
  }

  // ---------------------------------------------------------------- torn tail

  @Test
  void aTornFinalRecordIsCutOffAtEveryByteOffsetAndOnlyItIsLost() throws IOException {
    Path original = written(5);
    Path file = segment(original, 1);
    byte[] bytes = Files.readAllBytes(file);
    int lastStart = recordOffsets(file).getLast();
    assertThat(bytes.length - lastStart).isEqualTo(74);
    for (int cut = lastStart; cut < bytes.length; cut++) {
      Path dir = copyOf(original, freshDir());
      Path torn = segment(dir, 1);
      Files.write(torn, java.util.Arrays.copyOf(bytes, cut));
      List<Damage> expected = cut == lastStart
          ? List.of() // ends exactly on a record boundary: nothing torn to see
          : List.of(new Damage.TornTail(torn, lastStart, cut - lastStart));
      assertRecovers(dir, expected, seqs(1, 4), 5);
    }
  }

  @Test
  void aFinalRecordWhoseBytesNeverLandedIsCutOff() throws IOException {
    // The file grew but the data blocks were never written: the record reads as zeros.
    Path dir = written(5);
    Path file = segment(dir, 1);
    byte[] bytes = Files.readAllBytes(file);
    int lastStart = recordOffsets(file).getLast();
    java.util.Arrays.fill(bytes, lastStart, bytes.length, (byte) 0);
    Files.write(file, bytes);
    assertRecovers(dir, List.of(new Damage.TornTail(file, lastStart, 74)), seqs(1, 4), 5);
  }

  @Test
  void zerosAfterTheLastRecordAreCutOffAndEveryRecordKept() throws IOException {
    Path dir = written(5);
    Path file = segment(dir, 1);
    long size = Files.size(file);
    Files.write(file, new byte[100], java.nio.file.StandardOpenOption.APPEND);
    assertRecovers(dir, List.of(new Damage.TornTail(file, size, 100)), seqs(1, 5), 6);
  }

  @Test
  void aSegmentTornWhileBeingCreatedIsDropped() throws IOException {
    Path dir = written(5);
    Path created = segment(dir, 6);
    Files.write(created, new byte[] {0x54, 0x47, 0x57});
    assertRecovers(dir, List.of(new Damage.TornTail(created, 0, 3)), seqs(1, 5), 6);
  }

  // ---------------------------------------------------------------- corrupt records

  /**
   * Every byte of one record flipped in turn: the record in the middle of a sealed segment, the last
   * record of a sealed segment (nothing after it to resynchronise on), and one in the middle of the
   * last segment (not a torn tail, because intact records follow it).
   */
  @ParameterizedTest(name = "record {0} of segment {1}")
  @CsvSource({"5, 1", "13, 1", "28, 27"})
  void aFlippedByteIsReportedWithFileAndOffsetAndTheOtherRecordsAreKept(long target, long segmentFirst)
      throws IOException {
    Path original = written(30);
    assertThat(Files.exists(segment(original, 27))).as("layout: 13 records per segment").isTrue();
    byte[] bytes = Files.readAllBytes(segment(original, segmentFirst));
    int start = recordOffsets(segment(original, segmentFirst)).get((int) (target - segmentFirst));
    for (int k = 0; k < 74; k++) {
      Path dir = copyOf(original, freshDir());
      Path file = segment(dir, segmentFirst);
      byte[] corrupted = bytes.clone();
      corrupted[start + k] ^= (byte) 0x5A;
      Files.write(file, corrupted);
      clock.advance(1);
      Path quarantined = dir.resolve(Recovery.QUARANTINE).resolve(file.getFileName() + "." + clock.millis());
      assertRecovers(dir, List.of(new Damage.CorruptRecord(file, start, 74, 1, quarantined)),
          seqsWithout(1, 30, target), 31);
      assertThat(Files.readAllBytes(quarantined)).as("the original is kept for inspection").isEqualTo(corrupted);
    }
  }

  @Test
  void aSealedSegmentEndingShortOfItsSuccessorIsReported() throws IOException {
    Path dir = written(30);
    Path file = segment(dir, 1);
    int lastStart = recordOffsets(file).getLast();
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, lastStart));
    Path quarantined = dir.resolve(Recovery.QUARANTINE).resolve(file.getFileName() + "." + clock.millis());
    assertRecovers(dir, List.of(new Damage.CorruptRecord(file, lastStart, 0, 1, quarantined)), seqsWithout(1, 30, 13),
        31);
  }

  @Test
  void aReplayThatMeetsABadChecksumNamesFileAndOffset() throws IOException {
    Path dir = written(5);
    try (Wal wal = Wal.open(config(dir), clock)) {
      Path file = segment(dir, 1);
      int third = recordOffsets(file).get(2);
      byte[] bytes = Files.readAllBytes(file);
      bytes[third + 30] ^= 1;
      Files.write(file, bytes); // bit rot after open
      assertThatThrownBy(() -> WalTest.replayAll(wal, 0)).isInstanceOfSatisfying(WalCorruptionException.class, e -> {
        assertThat(e.segment()).isEqualTo(file);
        assertThat(e.offset()).isEqualTo(third);
      });
    }
  }

  // ---------------------------------------------------------------- headers and checkpoint

  @Test
  void aSegmentWithABadMagicIsQuarantinedWholeAndTheOthersReplay() throws IOException {
    Path dir = written(30);
    Path file = segment(dir, 14);
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 1;
    Files.write(file, bytes);
    Path quarantined = dir.resolve(Recovery.QUARANTINE).resolve(file.getFileName() + "." + clock.millis());
    List<Long> expected = new ArrayList<>(seqs(1, 13));
    expected.addAll(seqs(27, 30));
    assertRecovers(dir, List.of(new Damage.CorruptHeader(file, bytes.length, quarantined)), expected, 31);
    assertThat(Files.readAllBytes(quarantined)).isEqualTo(bytes);
    assertThat(Files.size(file)).as("left in its place: a header and one gap marker").isEqualTo(16 + 24);
  }

  @Test
  void aLastSegmentWithAWrongFirstSeqIsQuarantinedAndItsNumbersAreNotGivenAgain() throws IOException {
    Path dir = written(30);
    Path file = segment(dir, 27);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putLong(8, 99);
    Files.write(file, bytes);
    Path quarantined = dir.resolve(Recovery.QUARANTINE).resolve(file.getFileName() + "." + clock.millis());
    // 4 records of 74 bytes: the size alone could hold (296 / 24 =) 12, so numbers restart above 27 + 12 - 1.
    assertRecovers(dir, List.of(new Damage.CorruptHeader(file, bytes.length, quarantined)), seqs(1, 26), 39);
  }

  @Test
  void aSegmentOfANewerFormatStopsTheOpenAndIsLeftAlone() throws IOException {
    Path dir = written(5);
    Path file = segment(dir, 1);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putShort(4, (short) 2);
    Files.write(file, bytes);
    assertThatThrownBy(() -> Wal.open(config(dir), clock)).isInstanceOf(WalFailedException.class)
        .hasMessageContaining("format version 2");
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    assertThat(Files.exists(dir.resolve(Recovery.QUARANTINE))).isFalse();
  }

  @Test
  void aCorruptCheckpointReplaysEveryLiveRecord() throws IOException {
    Path dir = freshDir();
    try (Wal wal = Wal.open(config(dir), clock)) {
      for (int i = 1; i <= 20; i++) {
        wal.append(payload(i)).join();
      }
      wal.markCommitted(10);
    }
    Path checkpoint = dir.resolve(Checkpoint.FILE);
    byte[] bytes = Files.readAllBytes(checkpoint);
    bytes[7] ^= 1;
    Files.write(checkpoint, bytes);
    assertRecovers(dir, List.of(new Damage.CorruptCheckpoint(checkpoint)), seqs(1, 20), 21);
  }

  @Test
  void segmentsAlreadyCommittedAreDeletedUnreadAtOpen() throws IOException {
    // A crash between writing the checkpoint and deleting the segments it covers.
    Path dir = written(30);
    Checkpoint.write(dir, 26, ChannelOpener.standard());
    Files.write(segment(dir, 1), new byte[] {1, 2, 3}); // would be damage if it were read
    try (Wal wal = Wal.open(config(dir), clock)) {
      assertThat(wal.recovery()).isEqualTo(new RecoveryReport(List.of(), 4, 26, 31, 0, 0));
      assertThat(WalTest.replayAll(wal, wal.committedSeq())).extracting(WalRecord::seq).isEqualTo(seqs(27, 30));
    }
    assertThat(Files.exists(segment(dir, 1))).isFalse();
    assertThat(Files.exists(segment(dir, 14))).isFalse();
  }

  // ---------------------------------------------------------------- the intake ring

  /** 50-byte payloads in the intake: 74-byte frames, the first at offset 64 of the file. */
  private static long intakeOffset(int index) {
    return IntakeRing.HEADER_BYTES + 74L * index;
  }

  /**
   * A log whose writer is stuck in its first force (record 1 written, not forced), with records 2..n+1
   * stored in the intake after it: copied then, as a SIGKILL would leave the files.
   */
  private Path crashedWithRecordsInTheIntake(int n) throws Exception {
    return crashedWithRecordsInTheIntake(n, IntakeRing.bytesFor(config(root)));
  }

  private Path crashedWithRecordsInTheIntake(int n, long intakeBytes) throws Exception {
    Path dir = freshDir();
    Path crashed = freshDir();
    HookedOpener opener = new HookedOpener();
    Semaphore inForce = new Semaphore(0);
    Semaphore release = new Semaphore(0);
    try (Wal wal = Wal.open(config(dir), clock, opener, intakeBytes)) {
      opener.hook = path -> {
        inForce.release();
        release.acquireUninterruptibly();
      };
      wal.append(payload(1));
      try {
        assertThat(inForce.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 2; i <= n + 1; i++) {
          assertThat(wal.write(payload(i))).isCompleted();
        }
        copyOf(dir, crashed);
      } finally {
        opener.hook = path -> {};
        release.release(100); // a failed assertion must not leave the writer stuck for close()
      }
    }
    return crashed;
  }

  @Test
  void recordsOnlyInTheIntakeAreWrittenToTheLogAtOpenOnce() throws Exception {
    Path dir = crashedWithRecordsInTheIntake(10);
    try (Wal wal = Wal.open(config(dir), clock)) {
      assertThat(wal.recovery()).isEqualTo(new RecoveryReport(List.of(), 11, 0, 12, 10, 0));
      assertThat(WalTest.replayAll(wal, 0)).extracting(WalRecord::seq).containsExactlyElementsOf(seqs(1, 11));
      for (WalRecord r : WalTest.replayAll(wal, 0)) {
        assertThat(r.payload()).as("record %d", r.seq()).isEqualTo(payload(r.seq()));
      }
    }
    // The intake was emptied once its records were forced into a segment: nothing comes twice.
    assertRecovers(dir, List.of(), seqs(1, 11), 12);
  }

  /**
   * Every byte of the fourth of ten intake records flipped in turn: the three before it are written to the
   * log, it and the six after it are reported as discarded (a power cut can leave such a ring).
   */
  @Test
  void anIntakeRecordThatDoesNotCheckOutEndsTheIntakesReplayAndIsReported() throws Exception {
    Path original = crashedWithRecordsInTheIntake(10);
    byte[] intake = Files.readAllBytes(original.resolve(IntakeRing.FILE));
    int start = (int) intakeOffset(3);
    for (int k = 0; k < 74; k++) {
      Path dir = copyOf(original, freshDir());
      byte[] corrupted = intake.clone();
      corrupted[start + k] ^= (byte) 0x5A;
      Files.write(dir.resolve(IntakeRing.FILE), corrupted);
      assertRecovers(dir, List.of(new Damage.IntakeTail(dir.resolve(IntakeRing.FILE), start, 7 * 74)), seqs(1, 4), 5);
    }
  }

  /**
   * The process died after the writer put records 2..6 in a segment and before it moved the intake's tail
   * past them, while 7..9 were stored behind them: 2..6 are left out, 7..9 written, none twice.
   */
  @Test
  void intakeRecordsASegmentHasAlreadyAreLeftOutAtOpen() throws Exception {
    Path dir = freshDir();
    Path crashed = freshDir();
    HookedOpener opener = new HookedOpener();
    Semaphore inForce = new Semaphore(0);
    Semaphore release = new Semaphore(0);
    try (Wal wal = Wal.open(config(dir), clock, opener)) {
      opener.hook = path -> {
        inForce.release();
        release.acquireUninterruptibly();
      };
      wal.append(payload(1));
      try {
        assertThat(inForce.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 2; i <= 6; i++) {
          wal.write(payload(i));
        }
        release.release(); // the writer forces record 1, writes 2..6, moves the tail, and stops in the next force
        assertThat(inForce.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 7; i <= 9; i++) {
          wal.write(payload(i));
        }
        copyOf(dir, crashed);
      } finally {
        opener.hook = path -> {};
        release.release(100);
      }
    }
    assertThat(Files.size(segment(crashed, 1))).as("records 1..6 in the segment")
        .isEqualTo(Frames.HEADER_BYTES + 6 * 74);
    try (FileChannel ch = FileChannel.open(crashed.resolve(IntakeRing.FILE), StandardOpenOption.WRITE)) {
      // The tail store never happened: back to where it was before the writer took 2..6.
      assertThat(ch.write(ByteBuffer.allocate(8).putLong(0, 0), IntakeRing.TAIL_AT)).isEqualTo(8);
    }
    try (Wal wal = Wal.open(config(crashed), clock)) {
      assertThat(wal.recovery()).isEqualTo(new RecoveryReport(List.of(), 9, 0, 10, 3, 5));
    }
    assertRecovers(crashed, List.of(), seqs(1, 9), 10);
  }

  @Test
  void anIntakeRecordOfAnEarlierRunDoesNotPassForOneOfThisRun() throws Exception {
    // A power cut can leave the header of this run's intake on the device with the record pages of the last.
    Path dir = crashedWithRecordsInTheIntake(3);
    Path file = dir.resolve(IntakeRing.FILE);
    ByteBuffer intake = ByteBuffer.wrap(Files.readAllBytes(file));
    intake.putLong((int) IntakeRing.EPOCH_AT, intake.getLong((int) IntakeRing.EPOCH_AT) + 1);
    Files.write(file, intake.array());
    assertRecovers(dir, List.of(new Damage.IntakeTail(file, intakeOffset(0), 3 * 74)), seqs(1, 1), 2);
  }

  @Test
  void anIntakeFileThatIsNotARingIsQuarantinedAndReplaced() throws Exception {
    Path dir = crashedWithRecordsInTheIntake(3);
    Path file = dir.resolve(IntakeRing.FILE);
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 1;
    Files.write(file, bytes);
    Path quarantined = dir.resolve(Recovery.QUARANTINE).resolve(IntakeRing.FILE + "." + clock.millis());
    assertRecovers(dir, List.of(new Damage.CorruptIntake(file, bytes.length, quarantined)), seqs(1, 1), 2);
    assertThat(Files.readAllBytes(quarantined)).as("kept for inspection").isEqualTo(bytes);
    assertThat(Files.size(file)).isEqualTo(IntakeRing.HEADER_BYTES + IntakeRing.bytesFor(config(dir)));
  }

  @Test
  void anIntakeOfANewerFormatStopsTheOpenAndIsLeftAlone() throws Exception {
    Path dir = crashedWithRecordsInTheIntake(3);
    Path file = dir.resolve(IntakeRing.FILE);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putShort(4, (short) 2);
    Files.write(file, bytes);
    assertThatThrownBy(() -> Wal.open(config(dir), clock)).isInstanceOf(WalFailedException.class)
        .hasMessageContaining("format version 2");
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
  }

  @Test
  void anIntakeOfAnotherSizeIsReadAndThenReplacedByOneOfTheConfiguredSize() throws Exception {
    Path dir = crashedWithRecordsInTheIntake(3, 4096);
    assertThat(Files.size(dir.resolve(IntakeRing.FILE))).isEqualTo(IntakeRing.HEADER_BYTES + 4096);
    assertRecovers(dir, List.of(), seqs(1, 4), 5);
    assertThat(Files.size(dir.resolve(IntakeRing.FILE)))
        .isEqualTo(IntakeRing.HEADER_BYTES + IntakeRing.bytesFor(config(dir)));
  }

  @Test
  void leftoverTemporaryFilesAreRemoved() throws IOException {
    Path dir = written(5);
    Files.write(dir.resolve(Checkpoint.TEMP), new byte[3]);
    Files.write(dir.resolve(Frames.segmentName(1) + ".tmp"), new byte[40]);
    assertRecovers(dir, List.of(), seqs(1, 5), 6);
    assertThat(Files.exists(dir.resolve(Checkpoint.TEMP))).isFalse();
    assertThat(Files.exists(dir.resolve(Frames.segmentName(1) + ".tmp"))).isFalse();
  }
}
