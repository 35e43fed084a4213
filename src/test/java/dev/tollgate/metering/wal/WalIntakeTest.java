package dev.tollgate.metering.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake ring on its own, 200 bytes long so that records wrap: what the writer takes and what recovery
 * reads back are the records stored, in order, across both kinds of wrap (a marker, or an end too short for
 * one); a full ring refuses; a record left from an earlier lap does not pass for the one stored there since.
 */
@Timeout(60)
class WalIntakeTest {
  private static final int CAPACITY = 200;
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(3_000_000);
  private IntakeRing ring;
  private long seq;

  @BeforeEach
  void start() throws IOException {
    ring = IntakeRing.start(dir, CAPACITY, IntakeRing.recover(dir, 0, ChannelOpener.standard(), clock),
        ChannelOpener.standard());
  }

  private static byte[] payload(int length, int tag) {
    byte[] p = new byte[length];
    new Random(tag).nextBytes(p);
    p[0] = (byte) tag;
    return p;
  }

  /** Stores a payload with the next sequence number; whether it fit. */
  private boolean store(byte[] payload) {
    boolean stored = ring.store(payload, seq + 1, clock.millis());
    if (stored) {
      seq++;
    }
    return stored;
  }

  /** What the writer takes now, as payloads in order; released when {@code release}. */
  private List<byte[]> take(boolean release) {
    IntakeRing.Batch batch = ring.newBatch();
    ring.take(batch);
    ring.index(batch);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < batch.count(); i++) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(batch.length(i));
      batch.copyPayload(i, buf);
      out.add(buf.array());
    }
    if (release) {
      ring.release(batch);
    }
    return out;
  }

  private IntakeRing.Leftover recover(long lastSeq) throws IOException {
    return IntakeRing.recover(dir, lastSeq, ChannelOpener.standard(), clock);
  }

  @Test
  void recordsWrapWithAMarkerOrWithoutAndComeBackInOrderToTheWriterAndToRecovery() throws IOException {
    byte[] p1 = payload(52, 1); // frames of 76 and 100 bytes: [0, 176), 24 bytes left, room for a marker only
    byte[] p2 = payload(76, 2);
    assertThat(store(p1)).isTrue();
    assertThat(store(p2)).isTrue();
    assertThat(take(true)).containsExactly(p1, p2);

    byte[] p3 = payload(10, 3); // 34 bytes: a wrap marker at 176, the record at [200, 234)
    assertThat(store(p3)).isTrue();
    byte[] p4 = payload(136, 4); // 160 bytes: [234, 394) would pass the tail (176) by 18
    assertThat(store(p4)).as("no room before the tail").isFalse();
    assertThat(take(true)).containsExactly(p3);
    assertThat(store(p4)).isTrue(); // [234, 394): 6 bytes left, too few for a marker
    byte[] p5 = payload(10, 5); // wraps without one: [400, 434)
    assertThat(store(p5)).isTrue();

    IntakeRing.Leftover left = recover(3);
    assertThat(left.payloads()).containsExactly(p4, p5);
    assertThat(left.times()).containsExactly(clock.millis(), clock.millis());
    assertThat(left.damages()).isEmpty();
    assertThat(left.inSegments()).isZero();
    assertThat(recover(4).payloads()).as("one already in a segment").containsExactly(p5);
    assertThat(recover(4).inSegments()).isEqualTo(1);
    assertThat(take(false)).containsExactly(p4, p5);
  }

  @Test
  void aRecordLeftFromAnEarlierLapDoesNotPassForTheOneStoredThereSince() throws IOException {
    Path file = dir.resolve(IntakeRing.FILE);
    byte[] q1 = payload(76, 1); // 100-byte frames: two to a lap
    assertThat(store(q1)).isTrue();
    byte[] firstLap = Files.readAllBytes(file);
    assertThat(store(payload(76, 2))).isTrue();
    take(true);
    byte[] q3 = payload(76, 3);
    byte[] q4 = payload(76, 4);
    assertThat(store(q3)).isTrue(); // where q1 was
    assertThat(store(q4)).isTrue();
    assertThat(recover(2).payloads()).containsExactly(q3, q4);

    // A power cut left q1's page on the device, with the header and q4's page of the second lap.
    byte[] stale = Files.readAllBytes(file);
    System.arraycopy(firstLap, IntakeRing.HEADER_BYTES, stale, IntakeRing.HEADER_BYTES, 100);
    assertThat(Arrays.equals(stale, Files.readAllBytes(file))).isFalse();
    Path copy = dir.resolve("copy");
    Files.createDirectories(copy);
    Files.write(copy.resolve(IntakeRing.FILE), stale);
    IntakeRing.Leftover left = IntakeRing.recover(copy, 2, ChannelOpener.standard(), clock);
    // q1's own checksum is intact and its seq (1) is below the last in the segments: without the position in
    // the checksum it would have been skipped as written, and q4 written without q3.
    assertThat(left.payloads()).isEmpty();
    assertThat(left.damages()).containsExactly(
        new Damage.IntakeTail(copy.resolve(IntakeRing.FILE), IntakeRing.HEADER_BYTES, 200));
  }
}
