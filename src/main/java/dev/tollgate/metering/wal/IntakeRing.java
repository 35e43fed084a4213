package dev.tollgate.metering.wal;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The intake: records stored by {@link Wal#write} and {@link Wal#writeLater} in a ring inside a file of
 * fixed size, mapped shared into memory, until the writer thread moves them into a segment.
 *
 * <p>Bytes stored into a shared mapping are in the operating system's page cache as soon as the store
 * executes, so a record survives the death of the process from then on, exactly like bytes passed to
 * {@code write(2)}, without a system call and without waking another thread. The ring is never forced while
 * the log runs: a power cut can leave any mix of old and new pages of it on the device, which is why every
 * record's checksum covers the ring's epoch and the record's position, and recovery stops at the first
 * record that does not check out. Records become durable against a power cut when the writer forces the
 * segment it copied them into.
 *
 * <p>Each record carries the sequence number it will have in the log, given when it is stored: recovery
 * leaves out the records a segment already has (the process died after the writer wrote them and before it
 * moved the tail), so that a crash puts no record in the log twice. The layout is in package-info.
 *
 * <p>Not thread-safe: {@link Wal} calls {@link #store}, {@link #take}, {@link #release} and
 * {@link #isEmpty} under its queue lock. The writer reads taken records ({@link #index}, {@link Batch})
 * outside it: no producer stores over them before they are released.
 *
 * <p>The file is mapped as a plain {@link MappedByteBuffer}, not a {@code MemorySegment} of an arena, and the
 * garbage collector unmaps it. A buffer of a shared or confined arena carries a session that every access
 * checks, in code the JIT compiles once for all direct buffers: with ours in the process, each byte netty
 * read or wrote in its own (global-session) buffers went through a session check the JIT could no longer
 * leave out, about 2% of the gateway's CPU (bench/RESULTS.md). The log maps one ring per open, so the
 * mapping it leaves to the collector is at most one per run, plus one per reopen in tests.
 */
final class IntakeRing {
  static final String FILE = "intake";
  static final String TEMP = "intake.tmp";
  static final int MAGIC = 0x5447_4952; // "TGIR"
  static final short VERSION = 1;
  static final int HEADER_BYTES = 64;
  static final long CAPACITY_AT = 8;
  static final long EPOCH_AT = 16;
  static final long TAIL_AT = 24;
  static final long HEAD_AT = 32;
  /** The length field of a wrap marker: the rest of the lap holds no record. */
  static final int WRAP = -1;
  static final long MIN_BYTES = 1L << 20;
  static final long MAX_BYTES = 64L << 20;

  /**
   * Head and tail are aligned (the mapping starts on a page): their stores are atomic, and ordered after the
   * stores before them.
   */
  private static final VarHandle POSITION = MethodHandles.byteBufferViewVarHandle(long[].class, BIG_ENDIAN);

  private final Path file;
  private final MappedByteBuffer map;
  private final long capacity;
  private final long epoch;
  // Positions are byte counts since the ring was reset, never wrapped, so their order is never ambiguous.
  // @GuardedBy("Wal.queueLock"): records before it are in a segment; producers may store over them
  private long tail;
  // @GuardedBy("Wal.queueLock"): records before it are taken by the writer, being written
  private long taken;
  // @GuardedBy("Wal.queueLock"): where the next record goes
  private long head;
  // @GuardedBy("Wal.queueLock"): the checksummed fields of the record being stored (epoch, position, frame fields)
  private final ByteBuffer fields = ByteBuffer.allocate(40);
  // @GuardedBy("Wal.queueLock")
  private final CRC32C crc = new CRC32C();

  private IntakeRing(Path file, MappedByteBuffer map, long capacity, long epoch) {
    this.file = file;
    this.map = map;
    this.capacity = capacity;
    this.epoch = epoch;
  }

  /**
   * The ring's size for a configuration: twice {@code commit_bytes}, since the writer is woken for the ring's
   * records once commit_bytes wait and the other half takes what arrives while it writes them; at least 1 MiB
   * so that a small commit size still lets records wait for the group commit, and at most 64 MiB, because
   * the whole file is mapped and kept on disk.
   */
  static long bytesFor(WalConfig config) {
    long wanted = Math.clamp(Math.min(config.commitBytes(), MAX_BYTES) * 2, MIN_BYTES, MAX_BYTES);
    return (wanted + 4095) & -4096L;
  }

  // ---------------------------------------------------------------- producers

  /**
   * Stores one record with the sequence number it will have in the log and publishes it by moving the
   * head; false when it does not fit before the tail (the caller queues it instead).
   */
  boolean store(byte[] payload, long seq, long appendedAtMillis) {
    long frame = Frames.frameBytes(payload.length);
    long left = capacity - head % capacity;
    long at = left < frame ? head + left : head;
    if (at + frame - tail > capacity) {
      return false;
    }
    if (at != head && left >= Frames.OVERHEAD) {
      putWrapMarker(head);
    }
    fields.clear();
    fields.putLong(epoch).putLong(at).putInt(payload.length).putInt(0).putLong(seq).putLong(appendedAtMillis);
    crc.reset();
    crc.update(fields.array(), 0, 20);
    crc.update(fields.array(), 24, 16);
    crc.update(payload);
    fields.putInt(20, (int) crc.getValue());
    int offset = offsetOf(at);
    map.put(offset, fields.array(), 16, Frames.OVERHEAD);
    map.put(offset + Frames.OVERHEAD, payload, 0, payload.length);
    head = at + frame;
    // A release store: neither the JIT nor the processor may make it before the record's bytes above.
    POSITION.setRelease(map, (int) HEAD_AT, head);
    return true;
  }

  private void putWrapMarker(long at) {
    fields.clear();
    fields.putLong(epoch).putLong(at).putInt(WRAP);
    crc.reset();
    crc.update(fields.array(), 0, 20);
    int offset = offsetOf(at);
    map.putInt(offset, WRAP);
    map.putInt(offset + 4, (int) crc.getValue());
  }

  private int offsetOf(long position) {
    return (int) (HEADER_BYTES + position % capacity);
  }

  // ---------------------------------------------------------------- the writer

  /** Whether every record stored was taken by the writer. */
  boolean isEmpty() {
    return taken == head;
  }

  /** Takes the records stored since the last take into {@code batch}; {@link #index} then finds them. */
  void take(Batch batch) {
    batch.from = taken;
    batch.to = head;
    batch.count = 0;
    batch.frameBytes = 0;
    taken = head;
  }

  /** Moves the tail past a batch now written to a segment, so that producers may store over it. */
  void release(Batch batch) {
    tail = batch.to;
    POSITION.setRelease(map, (int) TAIL_AT, tail);
  }

  /** Finds the records of a taken batch (writer thread, outside the lock: nobody stores there until release). */
  void index(Batch batch) {
    long p = batch.from;
    while (p < batch.to) {
      long left = capacity - p % capacity;
      int offset = offsetOf(p);
      if (left < Frames.OVERHEAD || map.getInt(offset) == WRAP) {
        p += left;
        continue;
      }
      int length = map.getInt(offset);
      batch.add(offset, length, map.getLong(offset + 8), map.getLong(offset + 16));
      p += Frames.OVERHEAD + length;
    }
  }

  /** Records taken from the ring for one write: where each lies in the mapping. Reused by the writer thread. */
  final class Batch {
    private long from;
    private long to;
    private int count;
    private long frameBytes;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private long[] seqs = new long[64];
    private long[] times = new long[64];

    boolean isEmpty() {
      return from == to;
    }

    int count() {
      return count;
    }

    long frameBytes() {
      return frameBytes;
    }

    int length(int i) {
      return lengths[i];
    }

    long seq(int i) {
      return seqs[i];
    }

    long appendedAtMillis(int i) {
      return times[i];
    }

    /** Copies record {@code i}'s payload into a heap buffer at its position, and advances it. */
    void copyPayload(int i, ByteBuffer into) {
      map.get(offsets[i] + Frames.OVERHEAD, into.array(), into.arrayOffset() + into.position(), lengths[i]);
      into.position(into.position() + lengths[i]);
    }

    private void add(int offset, int length, long seq, long time) {
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, count * 2);
        lengths = Arrays.copyOf(lengths, count * 2);
        seqs = Arrays.copyOf(seqs, count * 2);
        times = Arrays.copyOf(times, count * 2);
      }
      offsets[count] = offset;
      lengths[count] = length;
      seqs[count] = seq;
      times[count] = time;
      count++;
      frameBytes += Frames.frameBytes(length);
    }
  }

  Batch newBatch() {
    return new Batch();
  }

  // ---------------------------------------------------------------- open and recovery

  /**
   * What the previous run left in the ring: the records no segment has, in the order they were stored, and
   * what was wrong with the file.
   *
   * @param inSegments records left out because a segment has them already
   * @param epoch the epoch of the ring found (0: none readable)
   * @param capacity the size of the ring found (0: none readable)
   */
  record Leftover(List<byte[]> payloads, long[] times, long inSegments, List<Damage> damages, long epoch,
      long capacity) {

    long frameBytes() {
      return payloads.stream().mapToLong(p -> Frames.frameBytes(p.length)).sum();
    }
  }

  /**
   * Reads the ring a previous run left, from its tail to its head, up to the first record that does not
   * check out; records numbered up to {@code lastSeq} are in a segment and left out. A file that is not a
   * ring of ours is quarantined; one of a newer version stops the open, untouched.
   */
  static Leftover recover(Path dir, long lastSeq, ChannelOpener opener, Clock clock) throws IOException {
    Files.deleteIfExists(dir.resolve(TEMP)); // a ring being created when the process died; never in use
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return new Leftover(List.of(), new long[0], 0, List.of(), 0, 0);
    }
    long size = Files.size(file);
    if (size >= HEADER_BYTES + Frames.OVERHEAD) {
      try (FileChannel ch = opener.open(file, Set.of(StandardOpenOption.READ))) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        SegmentReader.readFully(ch, header, 0);
        short version = header.getShort(4);
        if (header.getInt(0) == MAGIC && version > VERSION) {
          throw new WalFailedException("intake ring " + file + " has format version " + version + "; this Tollgate "
              + "reads " + VERSION + " (refusing to touch it)", null);
        }
        long capacity = header.getLong((int) CAPACITY_AT);
        long epoch = header.getLong((int) EPOCH_AT);
        long tail = header.getLong((int) TAIL_AT);
        long head = header.getLong((int) HEAD_AT);
        if (header.getInt(0) == MAGIC && version == VERSION && capacity == size - HEADER_BYTES
            && capacity <= MAX_BYTES && epoch >= 0 && tail >= 0 && head >= tail && head - tail <= capacity) {
          return scan(file, ch.map(MapMode.READ_ONLY, 0, size), capacity, epoch, tail, head, lastSeq);
        }
      }
    }
    Damage damage = new Damage.CorruptIntake(file, size, Recovery.quarantine(dir, file, true, clock, opener));
    Recovery.log(damage);
    return new Leftover(List.of(), new long[0], 0, List.of(damage), 0, 0);
  }

  private static Leftover scan(Path file, ByteBuffer m, long capacity, long epoch, long tail, long head,
      long lastSeq) {
    List<byte[]> payloads = new ArrayList<>();
    long[] times = new long[16];
    long inSegments = 0;
    long previousSeq = Long.MIN_VALUE;
    CRC32C crc = new CRC32C();
    ByteBuffer fields = ByteBuffer.allocate(40);
    long p = tail;
    while (p < head) {
      long left = capacity - p % capacity;
      int offset = (int) (HEADER_BYTES + p % capacity);
      if (left < Frames.OVERHEAD) {
        p += left;
        continue;
      }
      int length = m.getInt(offset);
      fields.clear();
      fields.putLong(epoch).putLong(p).putInt(length);
      crc.reset();
      crc.update(fields.array(), 0, 20);
      if (length == WRAP) {
        if (m.getInt(offset + 4) != (int) crc.getValue()) {
          break;
        }
        p += left;
        continue;
      }
      if (length < 0 || Frames.OVERHEAD + (long) length > left || p + Frames.OVERHEAD + length > head) {
        break;
      }
      long seq = m.getLong(offset + 8);
      byte[] payload = new byte[length];
      m.get(offset + Frames.OVERHEAD, payload, 0, length);
      crc.update(m.slice(offset + 8, 16));
      crc.update(payload);
      // A record from an earlier lap or epoch fails here: its position or epoch was another.
      if (m.getInt(offset + 4) != (int) crc.getValue() || seq <= previousSeq) {
        break;
      }
      previousSeq = seq;
      if (seq <= lastSeq) {
        inSegments++;
      } else {
        if (payloads.size() == times.length) {
          times = Arrays.copyOf(times, times.length * 2);
        }
        times[payloads.size()] = m.getLong(offset + 16);
        payloads.add(payload);
      }
      p += Frames.OVERHEAD + length;
    }
    List<Damage> damages = new ArrayList<>();
    if (p < head) {
      Damage damage = new Damage.IntakeTail(file, HEADER_BYTES + p % capacity, head - p);
      Recovery.log(damage);
      damages.add(damage);
    }
    return new Leftover(payloads, Arrays.copyOf(times, payloads.size()), inSegments, damages, epoch, capacity);
  }

  /**
   * Opens the ring for this run, empty and in the next epoch: the file found is reset in place when its size
   * is right, otherwise a new one is made. Forced before any record is stored, so that no record of an earlier
   * epoch can pass for one of this run, whatever pages a power cut leaves. Call after the leftover records are
   * forced into a segment.
   */
  static IntakeRing start(Path dir, long capacity, Leftover previous, ChannelOpener opener) throws IOException {
    Path file = dir.resolve(FILE);
    if (previous.capacity() != capacity || !Files.exists(file)) {
      create(dir, capacity, opener);
    }
    try (FileChannel ch = opener.open(file, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE))) {
      MappedByteBuffer map = ch.map(MapMode.READ_WRITE, 0, HEADER_BYTES + capacity);
      long epoch = previous.epoch() + 1;
      map.putInt(0, MAGIC);
      map.putShort(4, VERSION);
      map.putLong((int) CAPACITY_AT, capacity);
      map.putLong((int) EPOCH_AT, epoch);
      map.putLong((int) TAIL_AT, 0);
      map.putLong((int) HEAD_AT, 0);
      map.force();
      return new IntakeRing(file, map, capacity, epoch);
    }
  }

  /**
   * Writes a new ring file of zeros: temp file, force, atomic rename, force of the directory. Every block is
   * written, so that a store into the mapping never needs a new one (on a full disk that would be a SIGBUS).
   */
  private static void create(Path dir, long capacity, ChannelOpener opener) throws IOException {
    Path temp = dir.resolve(TEMP);
    try (FileChannel ch = opener.open(temp, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING))) {
      ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
      for (long at = 0; at < HEADER_BYTES + capacity; ) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), HEADER_BYTES + capacity - at));
        at += ch.write(zeros, at);
      }
      ch.force(true);
    }
    Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Checkpoint.forceDirectory(dir, opener);
  }

  Path file() {
    return file;
  }

  long capacity() {
    return capacity;
  }
}
