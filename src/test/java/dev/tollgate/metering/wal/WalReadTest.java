package dev.tollgate.metering.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay reads a segment a chunk at a time ({@link SegmentReader#CHUNK_BYTES}): records that straddle a
 * chunk's end, records larger than a chunk, and a replay starting or stopping anywhere come back whole and in
 * order; damage past the first chunk is still found, and named by its offset in the file.
 */
@Timeout(60)
class WalReadTest {
  private static final int CHUNK = SegmentReader.CHUNK_BYTES;
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(5_000_000);

  private static WalConfig config(Path dir) {
    return new WalConfig(dir, 16L << 20, Duration.ZERO, 1, 64L << 20, 0);
  }

  /** Sizes that put record boundaries everywhere around the chunk's end, and records of one to three chunks. */
  private static List<byte[]> payloads() {
    Random random = new Random(20261127);
    List<byte[]> out = new ArrayList<>();
    for (int size : new int[] {1, 0, 7, CHUNK - 24, CHUNK - 23, CHUNK, CHUNK + 1, 3 * CHUNK + 5, 2, 40_000}) {
      out.add(bytes(size, random));
    }
    for (int i = 0; i < 2_000; i++) {
      out.add(bytes(random.nextInt(300), random));
    }
    out.add(bytes(2 * CHUNK, random));
    return out;
  }

  private static byte[] bytes(int size, Random random) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  private Wal written(List<byte[]> payloads) {
    Wal wal = Wal.open(config(dir), clock);
    wal.appendAll(payloads).join();
    return wal;
  }

  @Test
  void everyRecordComesBackWholeAroundAndAcrossChunks() {
    List<byte[]> payloads = payloads();
    try (Wal wal = written(payloads)) {
      List<WalRecord> all = WalTest.replayAll(wal, 0);
      assertThat(all).hasSize(payloads.size());
      for (int i = 0; i < payloads.size(); i++) {
        assertThat(all.get(i).seq()).isEqualTo(i + 1);
        assertThat(all.get(i).payload()).as("record %d", i + 1).isEqualTo(payloads.get(i));
      }
    }
  }

  @Test
  void aReplayFromAnyRecordForAnyCountGetsExactlyThoseRecords() {
    List<byte[]> payloads = payloads();
    Random random = new Random(7);
    try (Wal wal = written(payloads)) {
      for (int round = 0; round < 60; round++) {
        long after = round < 10 ? round : random.nextInt(payloads.size() + 1);
        long max = random.nextInt(1 + (round % 3 == 0 ? 3 : 2_500));
        List<WalRecord> got = new ArrayList<>();
        long passed = wal.replay(after, max, got::add);
        long expected = Math.max(0, Math.min(max, payloads.size() - after));
        assertThat(passed).as("after %d, max %d", after, max).isEqualTo(expected).isEqualTo(got.size());
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i).seq()).isEqualTo(after + 1 + i);
          assertThat(got.get(i).payload()).isEqualTo(payloads.get((int) after + i));
        }
      }
    }
  }

  @Test
  void aBadChecksumPastTheFirstChunkIsFoundAtItsOffset() throws IOException {
    List<byte[]> payloads = payloads();
    try (Wal wal = written(payloads)) {
      Path file = dir.resolve(Frames.segmentName(1));
      int victim = WalRecoveryTest.recordOffsets(file).get(1_000); // well past the first chunks
      assertThat(victim).isGreaterThan(5 * CHUNK);
      byte[] bytes = Files.readAllBytes(file);
      bytes[victim + Frames.OVERHEAD - 1] ^= 0x10; // the append time, covered by the checksum
      Files.write(file, bytes);
      assertThatThrownBy(() -> WalTest.replayAll(wal, 0)).isInstanceOfSatisfying(WalCorruptionException.class, e -> {
        assertThat(e.segment()).isEqualTo(file);
        assertThat(e.offset()).isEqualTo(victim);
      });
      // A replay that stops before the damage does not meet it.
      assertThat(wal.replay(0, 1_000, r -> {})).isEqualTo(1_000);
    }
  }

  @Test
  void aLengthRunningPastTheSegmentIsDamageNotARecordToWaitFor() throws IOException {
    assertLengthIsDamage(1_500, Integer.MAX_VALUE - 100);
  }

  @Test
  void aLengthBelowTheGapMarkerIsDamage() throws IOException {
    assertLengthIsDamage(12, -7);
  }

  /** Writes {@code length} into the length field of record {@code index}: replay must name that record's offset. */
  private void assertLengthIsDamage(int index, int length) throws IOException {
    try (Wal wal = written(payloads())) {
      Path file = dir.resolve(Frames.segmentName(1));
      int victim = WalRecoveryTest.recordOffsets(file).get(index);
      byte[] bytes = Files.readAllBytes(file);
      ByteBuffer.wrap(bytes).putInt(victim, length);
      Files.write(file, bytes);
      assertThatThrownBy(() -> WalTest.replayAll(wal, 0)).isInstanceOfSatisfying(WalCorruptionException.class,
          e -> assertThat(e.offset()).isEqualTo(victim));
    }
  }
}
