package dev.tollgate.metering.budget;

import dev.tollgate.testing.ManualClock;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiBudgetPersistence;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/** A migrated database, a test clock and started stores over them; closes all of it. */
final class BudgetFixture implements AutoCloseable {
  static final Duration TTL = Duration.ofMinutes(10);
  /** The flusher never runs on its own in tests: they flush when they mean to. */
  static final Duration FLUSH = Duration.ofHours(1);

  final Database db;
  final ManualClock clock;
  final List<ThresholdCrossed> events = new CopyOnWriteArrayList<>();
  private final List<LocalBudgetStore> stores = new CopyOnWriteArrayList<>();

  BudgetFixture(TestDatabases.Kind kind, Path dir, ManualClock clock) {
    this.db = TestDatabases.open(kind, dir);
    this.clock = clock;
  }

  /** A new started store over the fixture's database, reporting thresholds to {@link #events}. */
  LocalBudgetStore store() {
    return store(events::add);
  }

  LocalBudgetStore store(BudgetListener listener) {
    Random seeded = new Random(7);
    LocalBudgetStore store = new LocalBudgetStore(new JdbiBudgetPersistence(db.jdbi()), listener, clock,
        new IdGenerator(clock, () -> seeded), FLUSH, TTL);
    store.start();
    stores.add(store);
    return store;
  }

  @Override
  public void close() {
    stores.forEach(LocalBudgetStore::close);
    db.close();
  }
}
