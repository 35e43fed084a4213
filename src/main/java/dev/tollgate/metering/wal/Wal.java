package dev.tollgate.metering.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-proof, bounded, append-only log of opaque records with group commit.
 *
 * <p><b>Durability, in steps.</b> {@link #write} and {@link #writeLater} store their record in the
 * <i>intake</i>, a ring in a file mapped shared into memory, and return a future that is already complete:
 * the bytes are in the operating system's page cache, where they survive a crash of this process, and no
 * system call or other thread was involved. One writer thread moves the intake's records and everything
 * queued into the active segment at the next group commit, with one {@code write} per segment touched, and
 * forces it ({@code fdatasync}) at most once per {@code commit_interval}, earlier when {@code commit_bytes}
 * are waiting: the records are then <i>durable</i> (they survive a power cut), visible to {@link #replay}
 * and counted in {@link #durableSeq}. {@link #append}'s future completes when its record is durable. A
 * record the intake has no room for is queued instead: its {@code write} future completes once the writer
 * wrote it (the writer is woken for it), its {@code writeLater} future likewise (within 1 ms). Sequence
 * numbers are given in the order records are stored or queued, so a record's number is also its position
 * in the log.
 *
 * <p><b>Bounds.</b> A record reserves its frame's bytes against {@code max_disk_bytes} before it is
 * stored or queued; when they do not fit it fails at once with {@link WalFullException}. Space returns when
 * {@link #markCommitted} lets whole segments go. {@link #hasRoom} answers for admission, keeping
 * {@code admission_headroom_bytes} in reserve for the usage of calls already admitted.
 *
 * <p><b>Reading.</b> {@link #replay} streams durable records after a position; {@link #markCommitted}
 * persists the position up to which the records are safely elsewhere (the database).
 *
 * <p><b>Failure.</b> A failed write or fsync stops the log for good (see {@link WalFailedException}); the
 * intake's records not yet in a segment stay in its file for the next open.
 *
 * <p>Thread-safe: any thread appends, replays and commits. Producers store into the intake under the
 * queue lock; only the writer thread writes segments. One {@code Wal} per directory, enforced with a file
 * lock (also across processes).
 */
public final class Wal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Wal.class);
  static final String LOCK_FILE = "lock";
  /**
   * Longest a record nobody waits for ({@link #writeLater}) stays queued in memory, when the intake had no
   * room for it and no write a caller waits for comes first: a crash in that time loses it (a usage event:
   * its call is then billed from its intent).
   */
  static final long LATER_WITHIN_NANOS = 1_000_000;
  /** Longest the checkpoint file lags the committed position while no segment is to be deleted. */
  static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(1);

  private final WalConfig config;
  private final Clock clock;
  private final ChannelOpener opener;
  private final RecoveryReport recovery;
  private final LiveSegments live;
  private final SegmentWriter segmentWriter;
  private final IntakeRing intake;
  private final FileChannel lockChannel;
  private final Thread writer;
  private final long intervalNanos;
  private final long maxPayload;

  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition work = queueLock.newCondition();
  // @GuardedBy("queueLock")
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  // @GuardedBy("queueLock"): records in the queue (a sync() queues none); while any, nothing goes into the intake
  private int queuedRecords;
  // @GuardedBy("queueLock"): bytes stored in the intake or queued since the writer last took them
  private long queuedBytes;
  // @GuardedBy("queueLock"): the sequence number the next record stored or queued will be written with
  private long nextSeq;
  // @GuardedBy("queueLock")
  private boolean closing;
  // @GuardedBy("queueLock"): a caller waits for a write, or commit_bytes wait: write without delay
  private boolean urgent;
  // @GuardedBy("queueLock"): the writer sleeps with nothing to write or force, until signalled
  private boolean writerIdle;
  // @GuardedBy("queueLock"): when the oldest queued writeLater record must be written (0: none queued)
  private long laterDeadline;
  /** Set once by the writer when a write or fsync fails; from then on every append fails with it. */
  private volatile WalFailedException failure;

  /** Serializes checkpoint writes, so that the file never moves backwards. */
  private final ReentrantLock checkpointLock = new ReentrantLock();
  // @GuardedBy("checkpointLock"): the position in the checkpoint file, and when it was written
  private long persistedSeq;
  private long persistedAtNanos;

  /** When a queued record's future completes, and whether the writer is woken for it. */
  private enum Ack {
    /** Once written; the writer is woken at once (a caller waits). */
    WRITTEN,
    /** Once written; the writer is not woken for it: it goes with the next batch, within 1 ms at the latest. */
    LATER,
    /** Once forced (group commit). */
    DURABLE
  }

  /**
   * Records queued together: they get consecutive sequence numbers. An append's future ({@code durable})
   * gets the first; a write's ({@code written}) gets nothing. Exactly one of the two is set.
   */
  private record Pending(List<byte[]> payloads, long bytes, long appendedAtMillis, Ack ack,
      CompletableFuture<Long> durable, CompletableFuture<Void> written) {

    void complete(long firstSeq) {
      if (durable != null) {
        durable.complete(firstSeq);
      } else {
        written.complete(null);
      }
    }

    void fail(Throwable failure) {
      (durable != null ? durable : written).completeExceptionally(failure);
    }
  }

  private Wal(WalConfig config, Clock clock, ChannelOpener opener, FileChannel lockChannel, Recovery.Result recovered,
      long intakeBytes) throws IOException {
    this.config = config;
    this.clock = clock;
    this.opener = opener;
    this.lockChannel = lockChannel;
    this.intervalNanos = config.commitInterval().toNanos();
    this.maxPayload = config.segmentBytes() - Frames.HEADER_BYTES - Frames.OVERHEAD;
    this.live = new LiveSegments(recovered.segments(), recovered.uncommitted(), recovered.lastSeq(),
        recovered.committedSeq(), config.maxDiskBytes());
    this.persistedSeq = recovered.committedSeq();
    this.persistedAtNanos = System.nanoTime();
    this.segmentWriter = new SegmentWriter(config.directory(), config.segmentBytes(), opener, live,
        recovered.report().nextSeq());
    try {
      // Read first: an intake of a newer format stops the open before any file is created.
      IntakeRing.Leftover leftover = IntakeRing.recover(config.directory(), recovered.lastSeq(), opener, clock);
      segmentWriter.start();
      if (!leftover.payloads().isEmpty()) {
        // Reserved by the run that stored them; they are charged, never refused.
        live.charge(leftover.frameBytes());
        segmentWriter.write(leftover.payloads(), leftover.times());
        segmentWriter.force();
      }
      // Only now that its records are forced into a segment may the ring be emptied.
      this.intake = IntakeRing.start(config.directory(), intakeBytes, leftover, opener);
      this.nextSeq = segmentWriter.nextSeq();
      List<Damage> damages = new ArrayList<>(recovered.report().damages());
      damages.addAll(leftover.damages());
      this.recovery = new RecoveryReport(damages,
          recovered.report().uncommittedRecords() + leftover.payloads().size(), recovered.committedSeq(), nextSeq,
          leftover.payloads().size(), leftover.inSegments());
    } catch (IOException | RuntimeException e) {
      try {
        segmentWriter.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.writer = Thread.ofPlatform().name("wal-writer").daemon().unstarted(this::writeLoop);
  }

  /** Opens (creating if needed) the log in {@code config.directory()}, recovering what is on disk. */
  public static Wal open(WalConfig config, Clock clock) {
    return open(config, clock, ChannelOpener.standard());
  }

  /** As {@link #open(WalConfig, Clock)}, opening every file through {@code opener}. */
  public static Wal open(WalConfig config, Clock clock, ChannelOpener opener) {
    return open(config, clock, opener, IntakeRing.bytesFor(config));
  }

  /** As {@link #open(WalConfig, Clock, ChannelOpener)} with an intake ring of {@code intakeBytes} (tests). */
  static Wal open(WalConfig config, Clock clock, ChannelOpener opener, long intakeBytes) {
    Path dir = config.directory();
    FileChannel lockChannel = null;
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new WalFailedException("write-ahead log " + dir + " is in use by another Wal (lock file held)", null);
      }
      Recovery.Result recovered = Recovery.run(dir, opener, clock);
      Wal wal = new Wal(config, clock, opener, lockChannel, recovered, intakeBytes);
      wal.writer.start();
      RecoveryReport report = wal.recovery;
      log.info("write-ahead log {} open: {} uncommitted records, committed through {}, next seq {}{}{}", dir,
          report.uncommittedRecords(), report.committedSeq(), report.nextSeq(),
          report.intakeRecords() + report.intakeRecordsInSegments() == 0 ? ""
              : ", %d records taken from the intake ring (%d more were in a segment already)"
                  .formatted(report.intakeRecords(), report.intakeRecordsInSegments()),
          report.clean() ? "" : ", " + report.damages().size() + " repairs");
      return wal;
    } catch (IOException | RuntimeException e) {
      if (lockChannel != null) {
        try {
          lockChannel.close(); // releases the lock
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof WalException we) {
        throw we;
      }
      throw new WalFailedException("cannot open write-ahead log " + dir + ": " + e, e);
    }
  }

  /** What recovery found and repaired when this log was opened. */
  public RecoveryReport recovery() {
    return recovery;
  }

  // ---------------------------------------------------------------- appending

  /**
   * Appends one record. The future completes with its sequence number once it is durable, or fails with
   * a {@link WalException}: at once when the log is full ({@link WalFullException}), closed or failed.
   *
   * @throws IllegalArgumentException when the record cannot fit in a segment
   */
  public CompletableFuture<Long> append(byte[] payload) {
    return enqueue(List.of(payload), Ack.DURABLE);
  }

  /**
   * Writes one record. It is stored in the intake and the future is complete on return: the record then
   * survives a crash of this process (it is in the operating system's page cache), and it is durable,
   * surviving a power cut, by the next group commit, within {@code commit_interval}. When the intake has no
   * room, the record is queued and the writer woken: the future completes once it is written. The future
   * fails like {@link #append}'s. It carries no sequence number: a record's place in the log is settled when
   * the writer (or, after a crash, recovery) puts it in a segment.
   *
   * @throws IllegalArgumentException when the record cannot fit in a segment
   */
  public CompletableFuture<Void> write(byte[] payload) {
    return store(payload, Ack.WRITTEN);
  }

  /**
   * As {@link #write}, for a record nobody waits for: when the intake has no room, the writer is not woken
   * for it; it goes into the file with the next write a caller waits for, and within
   * {@link #LATER_WITHIN_NANOS} (1 ms) at the latest, in memory only until then (lost if the process dies).
   *
   * @throws IllegalArgumentException when the record cannot fit in a segment
   */
  public CompletableFuture<Void> writeLater(byte[] payload) {
    return store(payload, Ack.LATER);
  }

  /** A future that completes once every record stored or queued so far is durable (or fails with the log). */
  public CompletableFuture<Long> sync() {
    return enqueue(List.of(), Ack.DURABLE);
  }

  /**
   * Appends records atomically with respect to the cap (all are accepted or none) and with consecutive
   * sequence numbers; the future completes with them in order once all are durable.
   */
  public CompletableFuture<List<Long>> appendAll(List<byte[]> payloads) {
    if (payloads.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    int n = payloads.size();
    return enqueue(List.copyOf(payloads), Ack.DURABLE)
        .thenApply(first -> LongStream.range(first, first + n).boxed().toList());
  }

  /**
   * Whether a new call whose usage record will be {@code payloadBytes} long should be admitted: true while
   * its frame fits under the cap less the admission headroom. Advisory; {@link #append} enforces the cap.
   */
  public boolean hasRoom(int payloadBytes) {
    return failure == null
        && live.usedBytes() + Frames.frameBytes(payloadBytes) <= config.maxDiskBytes() - config.admissionHeadroomBytes();
  }

  private CompletableFuture<Long> enqueue(List<byte[]> payloads, Ack ack) {
    long bytes = 0;
    for (byte[] p : payloads) {
      bytes += frameBytes(p);
    }
    WalException refused = reserve(bytes);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<Long> future = new CompletableFuture<>();
    queueLock.lock();
    try {
      refused = refuseIfClosing(bytes);
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      // The time is read under the lock so that append times never go backwards along sequence numbers.
      queue(new Pending(payloads, bytes, clock.millis(), ack, future, null));
    } finally {
      queueLock.unlock();
    }
    return future;
  }

  /** Stores a write in the intake (complete at once) or, when it has no room, queues it. */
  private CompletableFuture<Void> store(byte[] payload, Ack ack) {
    long bytes = frameBytes(payload);
    WalException refused = reserve(bytes);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<Void> queued;
    queueLock.lock();
    try {
      refused = refuseIfClosing(bytes);
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      long now = clock.millis();
      // Only while nothing is queued: the writer writes the intake's records before the queue's, and so
      // keeps the order records were stored in only if no intake record is younger than a queued one.
      if (queuedRecords == 0 && intake.store(payload, nextSeq, now)) {
        nextSeq++;
        waiting(bytes, false);
        return CompletableFuture.completedFuture(null);
      }
      queued = new CompletableFuture<>();
      queue(new Pending(List.of(payload), bytes, now, ack, null, queued));
    } finally {
      queueLock.unlock();
    }
    return queued;
  }

  private long frameBytes(byte[] payload) {
    if (payload.length > maxPayload) {
      throw new IllegalArgumentException("record of %d bytes does not fit a segment of %d (at most %d)"
          .formatted(payload.length, config.segmentBytes(), maxPayload));
    }
    return Frames.frameBytes(payload.length);
  }

  /** Takes a record's bytes from the disk budget; the reason it is refused, or null. */
  private WalException reserve(long bytes) {
    WalFailedException failed = failure;
    if (failed != null) {
      return failed;
    }
    if (!live.tryReserve(bytes)) {
      return new WalFullException(bytes, live.usedBytes(), live.maxBytes());
    }
    return null;
  }

  // @GuardedBy("queueLock")
  private WalException refuseIfClosing(long reservedBytes) {
    if (closing || failure != null) {
      live.charge(-reservedBytes);
      // Checked under the lock: the writer empties the queue under it after failing, and takes the intake
      // under it when closing, so a record accepted here is written (or failed) by it, never left behind.
      return failure != null ? failure : new WalClosedException();
    }
    return null;
  }

  // @GuardedBy("queueLock")
  private void queue(Pending pending) {
    queue.add(pending);
    queuedRecords += pending.payloads().size();
    nextSeq += pending.payloads().size();
    if (pending.ack() == Ack.LATER && laterDeadline == 0) {
      laterDeadline = System.nanoTime() + LATER_WITHIN_NANOS;
    }
    waiting(pending.bytes(), pending.ack() == Ack.WRITTEN);
  }

  /**
   * Counts bytes now waiting for the writer, and wakes it when a caller waits for the write or commit_bytes
   * wait, and when it sleeps with nothing to do (it then waits out the commit interval): not for every record.
   */
  // @GuardedBy("queueLock")
  private void waiting(long bytes, boolean callerWaits) {
    queuedBytes += bytes;
    boolean wake = writerIdle;
    if (!urgent && (callerWaits || queuedBytes >= config.commitBytes())) {
      urgent = true;
      wake = true;
    }
    if (wake) {
      work.signal();
    }
  }

  // ---------------------------------------------------------------- the writer thread

  private void writeLoop() {
    long lastSync = System.nanoTime();
    long unforcedBytes = 0;
    IntakeRing.Batch taken = intake.newBatch();
    List<Pending> batch = new ArrayList<>();
    List<Written> awaitingForce = new ArrayList<>();
    while (true) {
      boolean closed;
      queueLock.lock();
      try {
        // Writes a caller waits for go out at once, writeLater records queued within 1 ms, the rest (the
        // intake's records among them) at the group commit.
        long wait;
        while (!urgent && !closing) {
          if (queue.isEmpty() && intake.isEmpty() && !segmentWriter.dirty() && awaitingForce.isEmpty()) {
            writerIdle = true;
            work.awaitUninterruptibly();
            writerIdle = false;
          } else if ((wait = nextDeadline(lastSync) - System.nanoTime()) > 0) {
            work.awaitNanos(wait);
          } else {
            break;
          }
        }
        urgent = false;
        laterDeadline = 0;
        // The intake's records and the queue are taken together and written intake first, which is the
        // order they were stored in: a record goes into the intake only while nothing is queued (store()).
        // Order matters between a call's records: its end or abandon is issued only after its intent's
        // future completed, that is after the intent was stored in the intake or written from the queue.
        intake.take(taken);
        batch.addAll(queue);
        queue.clear();
        queuedRecords = 0;
        queuedBytes = 0;
        closed = closing;
      } catch (InterruptedException e) {
        // Nothing here interrupts the writer; a stray interrupt only ends this wait early.
        continue;
      } finally {
        queueLock.unlock();
      }
      if (!taken.isEmpty() || !batch.isEmpty()) {
        unforcedBytes += writeBatch(taken, batch, awaitingForce);
        batch.clear();
        if (failure != null) {
          break; // the intake keeps what it held: the next open takes it
        }
        queueLock.lock();
        try {
          // Right after the write: a crash before this leaves the records in a segment and in the intake,
          // and recovery leaves out those a segment has (by the sequence number each was stored with).
          intake.release(taken);
        } finally {
          queueLock.unlock();
        }
      }
      boolean due = closed || unforcedBytes >= config.commitBytes() || System.nanoTime() - lastSync >= intervalNanos;
      if (due && (segmentWriter.dirty() || !awaitingForce.isEmpty())) {
        force(awaitingForce);
        lastSync = System.nanoTime();
        unforcedBytes = 0;
        awaitingForce.clear();
        if (failure != null) {
          break;
        }
      }
      if (closed && !segmentWriter.dirty() && awaitingForce.isEmpty()) {
        queueLock.lock();
        try {
          if (queue.isEmpty() && intake.isEmpty()) {
            return; // closing, and everything stored or queued is written and forced
          }
        } finally {
          queueLock.unlock();
        }
      }
    }
    failQueued();
  }

  /** When the writer must act without a signal: the group commit, or a queued writeLater record's deadline. */
  // @GuardedBy("queueLock")
  private long nextDeadline(long lastSync) {
    long commit = lastSync + intervalNanos;
    return laterDeadline != 0 && laterDeadline - commit < 0 ? laterDeadline : commit;
  }

  /**
   * Writes the intake's taken records, then the queued batch; completes at once the queued records that wait
   * only for the write, and adds the others to {@code awaitingForce}. Returns the bytes written.
   */
  private long writeBatch(IntakeRing.Batch taken, List<Pending> batch, List<Written> awaitingForce) {
    intake.index(taken);
    List<byte[]> payloads = new ArrayList<>();
    int records = 0;
    long bytes = taken.frameBytes();
    for (Pending p : batch) {
      records += p.payloads().size();
      bytes += p.bytes();
    }
    long[] times = new long[records];
    int i = 0;
    for (Pending p : batch) {
      for (byte[] payload : p.payloads()) {
        payloads.add(payload);
        times[i++] = p.appendedAtMillis();
      }
    }
    long seq;
    try {
      seq = taken.count() + records == 0 ? -1 : segmentWriter.write(taken, payloads, times) + taken.count();
    } catch (IOException | RuntimeException e) {
      failure = new WalFailedException("write-ahead log " + config.directory() + " failed writing "
          + (taken.count() + records) + " records; no more appends until restart: " + e, e);
      log.error("{}", failure.getMessage(), e);
      batch.forEach(p -> p.fail(failure));
      awaitingForce.forEach(w -> w.pending().fail(failure));
      return 0;
    }
    // Complete outside every lock: callbacks run on this thread and may append again.
    for (Pending p : batch) {
      if (p.ack() == Ack.DURABLE) {
        awaitingForce.add(new Written(p, seq));
      } else {
        p.complete(seq);
      }
      seq += p.payloads().size();
    }
    return bytes;
  }

  /** Forces what was written and completes the appends waiting for it (each with its first seq). */
  private void force(List<Written> awaitingForce) {
    long durable;
    try {
      durable = segmentWriter.dirty() ? segmentWriter.force() : live.durableSeq();
    } catch (IOException | RuntimeException e) {
      failure = new WalFailedException("write-ahead log " + config.directory() + " failed forcing records to disk;"
          + " no more appends until restart: " + e, e);
      log.error("{}", failure.getMessage(), e);
      awaitingForce.forEach(w -> w.pending().fail(failure));
      return;
    }
    for (Written w : awaitingForce) {
      // A sync() has no records: it completes with the last durable seq.
      w.pending().complete(w.pending().payloads().isEmpty() ? durable : w.firstSeq());
    }
  }

  /** An append written with {@code firstSeq} and waiting for the next force. */
  private record Written(Pending pending, long firstSeq) {}

  private void failQueued() {
    List<Pending> left;
    queueLock.lock();
    try {
      left = new ArrayList<>(queue);
      queue.clear();
      queuedRecords = 0;
      queuedBytes = 0;
    } finally {
      queueLock.unlock();
    }
    left.forEach(p -> p.fail(failure));
  }

  // ---------------------------------------------------------------- reading and committing

  /**
   * Streams the durable records with a sequence number above {@code afterSeq}, in order, to
   * {@code consumer}: at most {@code maxRecords} of them. Returns how many it streamed. Records made
   * durable while the replay runs may or may not be included.
   *
   * @throws WalCorruptionException when a record no longer checks out
   */
  public long replay(long afterSeq, long maxRecords, Consumer<WalRecord> consumer) {
    LiveSegments.Snapshot snapshot = live.snapshot(afterSeq);
    long passed = 0;
    for (LiveSegments.View view : snapshot.views()) {
      if (passed >= maxRecords) {
        break;
      }
      try {
        passed += SegmentReader.read(view, afterSeq, snapshot.durableSeq(), maxRecords - passed, consumer, opener);
      } catch (NoSuchFileException e) {
        // Deleted since the snapshot, so all its records are committed: only a caller replaying
        // committed records can miss them, and it asked for what the log no longer promises.
        log.debug("segment {} was deleted during replay (committed)", view.path());
      } catch (IOException e) {
        throw new WalFailedException("cannot read write-ahead log segment " + view.path() + ": " + e, e);
      }
    }
    return passed;
  }

  /** {@link #replay(long, long, Consumer)} without a count limit. */
  public long replay(long afterSeq, Consumer<WalRecord> consumer) {
    return replay(afterSeq, Long.MAX_VALUE, consumer);
  }

  /**
   * Records that every record up to {@code uptoSeq} is safely stored elsewhere and deletes the segments it
   * covers. The position is persisted (atomic checkpoint file) before any segment goes, and otherwise at
   * most once per {@link #CHECKPOINT_EVERY} and at close: after a crash, replay starts from the last
   * persisted position and its consumer ignores what it stored already (a checkpoint costs two fsyncs, and
   * the flusher commits several times a second). Positions never move back: a lower value than the
   * current one does nothing.
   *
   * @throws IllegalArgumentException when {@code uptoSeq} is beyond the last durable record
   */
  public void markCommitted(long uptoSeq) {
    long durable = live.durableSeq();
    if (uptoSeq > durable) {
      throw new IllegalArgumentException("cannot commit through %d: the last durable record is %d"
          .formatted(uptoSeq, durable));
    }
    checkpointLock.lock();
    try {
      if (uptoSeq <= live.committedSeq()) {
        return;
      }
      if (live.wouldFree(uptoSeq) || System.nanoTime() - persistedAtNanos >= CHECKPOINT_EVERY.toNanos()) {
        persist(uptoSeq);
      }
      SegmentWriter.delete(live.commit(uptoSeq));
    } catch (IOException e) {
      throw new WalFailedException("cannot write the write-ahead log checkpoint in " + config.directory() + ": " + e,
          e);
    } finally {
      checkpointLock.unlock();
    }
  }

  // @GuardedBy("checkpointLock")
  private void persist(long seq) throws IOException {
    Checkpoint.write(config.directory(), seq, opener);
    persistedSeq = seq;
    persistedAtNanos = System.nanoTime();
  }

  /** The committed position: every record up to it is safely elsewhere. */
  public long committedSeq() {
    return live.committedSeq();
  }

  /** The last durable sequence number (0 when none was ever appended). */
  public long durableSeq() {
    return live.durableSeq();
  }

  /** Uncommitted durable records and the append time of the oldest of them. */
  public WalLag lag() {
    return live.lag();
  }

  /** Bytes of the live segments plus records stored or queued; compared against {@code max_disk_bytes}. */
  public long diskBytes() {
    return live.usedBytes();
  }

  /** True once a write or fsync failed (see {@link WalFailedException}). */
  public boolean failed() {
    return failure != null;
  }

  /**
   * Refuses new records, waits until everything stored in the intake or queued is durable (the queued
   * records' futures complete), persists the committed position and releases the directory. Idempotent.
   */
  @Override
  public void close() {
    queueLock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      work.signalAll();
    } finally {
      queueLock.unlock();
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true; // the queued records' futures must still complete; keep waiting
      }
    }
    checkpointLock.lock();
    try {
      if (failure == null && live.committedSeq() > persistedSeq) {
        persist(live.committedSeq());
      }
    } catch (IOException e) {
      log.warn("closing write-ahead log {}: cannot persist the committed position {}: {}", config.directory(),
          live.committedSeq(), e.toString());
    } finally {
      checkpointLock.unlock();
    }
    try {
      segmentWriter.close();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("closing write-ahead log {}: {}", config.directory(), e.toString());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
