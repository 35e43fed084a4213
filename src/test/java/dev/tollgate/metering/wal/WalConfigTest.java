package dev.tollgate.metering.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad setting is refused with a message naming its YAML path and the expected range. */
class WalConfigTest {
  private static final Path DIR = Path.of("data/wal");

  static Stream<Arguments> invalid() {
    long mib = 1 << 20;
    return Stream.of(
        Arguments.of(null, 64 * mib, Duration.ofMillis(2), mib, 1024 * mib, 0L,
            "ledger.wal.directory: missing"),
        Arguments.of(DIR, 1023L, Duration.ofMillis(2), mib, 1024 * mib, 0L,
            "ledger.wal.segment_size: 1023 (expected: 1024..1073741824)"),
        Arguments.of(DIR, 2048 * mib, Duration.ofMillis(2), mib, 8192 * mib, 0L,
            "ledger.wal.segment_size: 2147483648"),
        Arguments.of(DIR, 64 * mib, Duration.ofMillis(-1), mib, 1024 * mib, 0L,
            "ledger.wal.commit_interval: PT-0.001S (expected: 0ms..1s)"),
        Arguments.of(DIR, 64 * mib, Duration.ofSeconds(2), mib, 1024 * mib, 0L,
            "ledger.wal.commit_interval: PT2S"),
        Arguments.of(DIR, 64 * mib, null, mib, 1024 * mib, 0L, "ledger.wal.commit_interval: null"),
        Arguments.of(DIR, 64 * mib, Duration.ofMillis(2), 0L, 1024 * mib, 0L,
            "ledger.wal.commit_size: 0 (expected: > 0)"),
        Arguments.of(DIR, 64 * mib, Duration.ofMillis(2), mib, 100 * mib, 0L,
            "ledger.wal.max_disk: 104857600 (expected: >= 2 x segment_size = 134217728)"),
        Arguments.of(DIR, 64 * mib, Duration.ofMillis(2), mib, 1024 * mib, 1024 * mib,
            "ledger.wal.admission_headroom: 1073741824 (expected: 0..max_disk - 1)"),
        Arguments.of(DIR, 64 * mib, Duration.ofMillis(2), mib, 1024 * mib, -1L,
            "ledger.wal.admission_headroom: -1"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void aBadSettingIsNamedByItsPath(Path dir, long segment, Duration interval, long commitBytes, long max,
      long headroom, String message) {
    assertThatThrownBy(() -> new WalConfig(dir, segment, interval, commitBytes, max, headroom))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.problems()).singleElement().asString().startsWith(message));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> new WalConfig(null, 0, Duration.ofSeconds(5), 0, -1, -1))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(6));
  }

  @Test
  void theDefaultsAreValid() {
    WalConfig c = WalConfig.defaults(DIR);
    assertThat(List.of(c.segmentBytes(), c.commitBytes(), c.maxDiskBytes(), c.admissionHeadroomBytes()))
        .containsExactly(64L << 20, 1L << 20, 1L << 30, 4L << 20);
    assertThat(c.commitInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(new WalConfig(DIR, 1024, Duration.ZERO, 1, 2048, 0)).isNotNull();
  }
}
