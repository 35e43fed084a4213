package dev.tollgate.metering.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process appending at full speed is killed with SIGKILL; every record it had been told was durable
 * is there after the reopen, with its payload, under the sequence number it was given.
 */
@Timeout(120)
class WalCrashTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedRecordSurvivesASigkill() throws Exception {
    killAndCheck("append", 2);
  }

  /**
   * Acknowledged when written, with a group commit far longer than the run: the records the child saw
   * acknowledged were in the page cache, not on the device, when it died, and are all there.
   */
  @Test
  void everyWrittenRecordSurvivesASigkillBeforeItsForce() throws Exception {
    killAndCheck("write", 1_000);
  }

  private void killAndCheck(String mode, long intervalMillis) throws Exception {
    for (int round = 0; round < 3; round++) {
      Map<Long, String> acked = runAndKill(mode, intervalMillis, 2_000 + round * 1_500);
      try (Wal wal = Wal.open(new WalConfig(dir, 64 * 1024, Duration.ofMillis(2), 1 << 20, 1L << 30, 0),
          Clock.systemUTC())) {
        Map<Long, String> replayed = new HashMap<>();
        wal.replay(wal.committedSeq(), r -> replayed.put(r.seq(), new String(r.payload(), UTF_8)));
        assertThat(replayed).as("round %d: every acknowledged record with its payload", round).containsAllEntriesOf(acked);
        assertThat(wal.recovery().damages()).allMatch(d -> d instanceof Damage.TornTail);
        // The next round appends after these; commit so that each round checks its own records.
        wal.markCommitted(wal.durableSeq());
      }
    }
  }

  /** Starts the child, reads acknowledgements until {@code acks} arrived, kills it, returns them. */
  private Map<Long, String> runAndKill(String mode, long intervalMillis, int acks) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java, "-cp", classpath, WalCrashChild.class.getName(), dir.toString(), mode,
        Long.toString(intervalMillis))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    Map<Long, String> acked = new HashMap<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && acked.size() < acks) {
        if (line.startsWith("ack ")) {
          String[] parts = line.split(" ");
          acked.put(Long.parseLong(parts[1]), parts[2]);
        }
      }
      // Killed while its threads are still appending, mid group commit.
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // Acknowledgements printed but not read before the kill are not checked; the stream is gone.
    } finally {
      child.destroyForcibly();
    }
    assertThat(acked).as("the child acknowledged records before it was killed").hasSizeGreaterThanOrEqualTo(acks);
    return acked;
  }
}
