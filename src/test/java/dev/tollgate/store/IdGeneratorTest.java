package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** UUIDv7 per RFC 9562: version and variant bits, millisecond prefix, order by time, no collisions. */
class IdGeneratorTest {
  private static final long T0 = 1_754_000_000_123L;

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private final AtomicLong millis;

    ManualClock(long start) {
      this.millis = new AtomicLong(start);
    }

    void advance(long ms) {
      millis.addAndGet(ms);
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static IdGenerator seeded(Clock clock, long seed) {
    Random random = new Random(seed);
    return new IdGenerator(clock, () -> random);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 42, 1234567})
  void idsAreVersion7WithTheRfcVariant(long seed) {
    IdGenerator ids = seeded(Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC), seed);
    for (int i = 0; i < 1000; i++) {
      String id = ids.next();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      UUID uuid = UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(7);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(uuid.toString()).isEqualTo(id);
    }
  }

  @Test
  void theFirst48BitsAreTheClockMillis() {
    for (long millis : new long[] {0, 1, T0, 0xFFFF_FFFF_FFFFL}) {
      String id = seeded(Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC), 1).next();
      assertThat(UUID.fromString(id).getMostSignificantBits() >>> 16).isEqualTo(millis);
      assertThat(Long.parseLong(id.substring(0, 8) + id.substring(9, 13), 16)).isEqualTo(millis);
    }
  }

  @Test
  void randomBitsFillTheRest() {
    // With all-ones random the only zeros left are the fixed version and variant bits.
    RandomGenerator ones = () -> -1L;
    String id = new IdGenerator(Clock.fixed(Instant.ofEpochMilli(0), ZoneOffset.UTC), () -> ones).next();
    assertThat(id).isEqualTo("00000000-0000-7fff-bfff-ffffffffffff");
    RandomGenerator zeros = () -> 0L;
    assertThat(new IdGenerator(Clock.fixed(Instant.ofEpochMilli(0), ZoneOffset.UTC), () -> zeros).next())
        .isEqualTo("00000000-0000-7000-8000-000000000000");
  }

  @Test
  void idsFromLaterMillisecondsSortAfterEarlierOnes() {
    ManualClock clock = new ManualClock(T0);
    IdGenerator ids = seeded(clock, 99);
    List<String> generated = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      generated.add(ids.next());
      clock.advance(1 + (i % 3)); // 1-3 ms apart
    }
    assertThat(generated).isSorted();
    List<UUID> uuids = generated.stream().map(UUID::fromString).toList();
    assertThat(uuids).isSorted();
  }

  @Test
  void timeOrderHoldsWhateverTheRandomBits() {
    Random seeds = new Random(5);
    for (int i = 0; i < 1000; i++) {
      long t = T0 + seeds.nextInt(1_000_000);
      String earlier = seeded(Clock.fixed(Instant.ofEpochMilli(t), ZoneOffset.UTC), seeds.nextLong()).next();
      String later = seeded(Clock.fixed(Instant.ofEpochMilli(t + 1), ZoneOffset.UTC), seeds.nextLong()).next();
      assertThat(earlier).isLessThan(later);
    }
  }

  @Test
  void aSeededGeneratorIsReproducible() {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
    IdGenerator a = seeded(clock, 2024);
    IdGenerator b = seeded(clock, 2024);
    for (int i = 0; i < 100; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
    assertThat(seeded(clock, 2025).next()).isNotEqualTo(seeded(clock, 2024).next());
  }

  @Test
  void manyIdsInTheSameMillisecondAreUnique() {
    IdGenerator ids = seeded(Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC), 11);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200_000; i++) {
      assertThat(seen.add(ids.next())).isTrue();
    }
  }

  @Test
  void idsFromManyThreadsAreUnique() throws Exception {
    IdGenerator ids = new IdGenerator(Clock.systemUTC(), ThreadLocalRandom::current);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    int threads = 8;
    int perThread = 25_000;
    List<Future<Integer>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          int made = 0;
          for (int i = 0; i < perThread; i++) {
            seen.add(ids.next());
            made++;
          }
          return made;
        }));
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    int made = 0;
    for (Future<Integer> f : results) {
      made += f.get();
    }
    assertThat(made).isEqualTo(threads * perThread);
    assertThat(seen).hasSize(threads * perThread);
  }
}
