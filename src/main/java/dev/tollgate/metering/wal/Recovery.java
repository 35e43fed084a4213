package dev.tollgate.metering.wal;

import dev.tollgate.metering.wal.Frames.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a WAL directory to a consistent state at open: reads the checkpoint, deletes segments that
 * are wholly committed, checks every record of the others, cuts a torn tail off the last segment,
 * and rewrites (after quarantining the original) any segment with corrupt bytes inside. Every repair
 * is reported as a {@link Damage} and logged.
 */
final class Recovery {
  static final String QUARANTINE = "quarantine";
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  private final Path dir;
  private final ChannelOpener opener;
  private final Clock clock;
  private final List<Damage> damages = new ArrayList<>();
  private final List<Segment> kept = new ArrayList<>();
  private final TimeRing uncommitted = new TimeRing();
  private long committedSeq;
  private long lastSeq;

  /** The live segments and positions recovery leaves behind. */
  record Result(List<Segment> segments, TimeRing uncommitted, long committedSeq, long lastSeq, RecoveryReport report) {}

  private Recovery(Path dir, ChannelOpener opener, Clock clock) {
    this.dir = dir;
    this.opener = opener;
    this.clock = clock;
  }

  static Result run(Path dir, ChannelOpener opener, Clock clock) throws IOException {
    return new Recovery(dir, opener, clock).run();
  }

  private Result run() throws IOException {
    Files.deleteIfExists(dir.resolve(Checkpoint.TEMP));
    committedSeq = Checkpoint.read(dir);
    if (committedSeq < 0) {
      report(new Damage.CorruptCheckpoint(dir.resolve(Checkpoint.FILE)));
      committedSeq = 0;
      Checkpoint.write(dir, 0, opener); // reported once; the next open starts from a sound file
    }
    lastSeq = committedSeq;
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> Frames.firstSeqOf(p) >= 0 || p.getFileName().toString().endsWith(".wal.tmp"))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
    List<Path> segments = new ArrayList<>();
    for (Path p : files) {
      if (Frames.firstSeqOf(p) >= 0) {
        segments.add(p);
      } else {
        Files.delete(p); // a rewrite that did not finish; its original is still in place
      }
    }
    for (int i = 0; i < segments.size(); i++) {
      long upper = i + 1 < segments.size() ? Frames.firstSeqOf(segments.get(i + 1)) : Long.MAX_VALUE;
      if (upper != Long.MAX_VALUE && upper - 1 <= committedSeq) {
        Files.delete(segments.get(i)); // every record committed; the crash came before the deletion
        continue;
      }
      recover(segments.get(i), upper);
    }
    Checkpoint.forceDirectory(dir, opener);
    RecoveryReport report = new RecoveryReport(damages, uncommitted.size(), committedSeq, lastSeq + 1, 0, 0);
    return new Result(kept, uncommitted, committedSeq, lastSeq, report);
  }

  /** Checks one segment; {@code upper} is its successor's first seq, MAX_VALUE for the last segment. */
  private void recover(Path file, long upper) throws IOException {
    boolean last = upper == Long.MAX_VALUE;
    long firstSeq = Frames.firstSeqOf(file);
    long size = Files.size(file);
    if (size > Integer.MAX_VALUE) {
      throw new WalFailedException("segment " + file + " has " + size + " bytes, more than any segment holds", null);
    }
    if (size < Frames.HEADER_BYTES) {
      if (!last) {
        quarantineWhole(file, firstSeq, size, upper);
      } else {
        // The crash came while the segment was being created; it holds no record.
        report(new Damage.TornTail(file, 0, size));
        Files.delete(file);
      }
      return;
    }
    List<Frame> frames = new ArrayList<>();
    int tornAt = -1;
    // A plain mapping, unmapped by the collector: an arena's would leave session checks in the JIT's code for
    // every direct buffer of the process (see IntakeRing). Nothing reads it once this block is left.
    try (FileChannel ch = opener.open(file, Set.of(StandardOpenOption.READ))) {
      ByteBuffer buf = ch.map(MapMode.READ_ONLY, 0, size);
      short version = buf.getShort(4);
      if (buf.getInt(0) != Frames.SEGMENT_MAGIC || buf.getLong(8) != firstSeq) {
        frames = null;
      } else if (version != Frames.VERSION) {
        throw new WalFailedException("segment " + file + " has format version " + version + "; this Tollgate reads "
            + Frames.VERSION + " (refusing to touch it)", null);
      } else {
        tornAt = scan(file, firstSeq, upper, buf, (int) size, frames);
      }
    }
    if (frames == null) {
      quarantineWhole(file, firstSeq, size, upper);
      return;
    }
    if (tornAt >= 0) {
      if (Files.size(file) > tornAt) { // not already left out by a rewrite
        try (FileChannel ch = opener.open(file, Set.of(StandardOpenOption.WRITE))) {
          ch.truncate(tornAt);
          ch.force(true);
        }
      }
      report(new Damage.TornTail(file, tornAt, size - tornAt));
    }
    keep(file, firstSeq, frames);
  }

  /**
   * Walks the records of a mapped segment into {@code frames}; reports and repairs bad bytes inside it,
   * and returns the offset of a torn tail (the last segment only) or -1.
   */
  private int scan(Path file, long firstSeq, long upper, ByteBuffer buf, int limit, List<Frame> frames)
      throws IOException {
    boolean last = upper == Long.MAX_VALUE;
    List<Gap> gaps = new ArrayList<>();
    int tornAt = -1;
    int pos = Frames.HEADER_BYTES;
    long expected = firstSeq;
    while (pos < limit) {
      Frame f = Frames.decode(buf, pos, limit);
      if (f != null && f.seq() == expected && f.lastSeq() < upper) {
        frames.add(f);
        expected = f.lastSeq() + 1;
        pos = f.end();
        continue;
      }
      Frame next = resync(buf, pos + 1, limit, expected, upper);
      if (next == null) {
        if (last) {
          tornAt = pos;
        } else {
          gaps.add(new Gap(pos, limit - pos, upper - expected));
          frames.add(new Frame(-1, 0, expected, upper - expected, true));
        }
        break;
      }
      gaps.add(new Gap(pos, next.offset() - pos, next.seq() - expected));
      if (next.seq() > expected) {
        frames.add(new Frame(-1, 0, expected, next.seq() - expected, true));
      }
      pos = next.offset();
      expected = next.seq();
    }
    if (!last && pos >= limit && expected < upper) {
      // Ends cleanly but short of its successor: records are missing though no bytes are bad.
      gaps.add(new Gap(limit, 0, upper - expected));
      frames.add(new Frame(-1, 0, expected, upper - expected, true));
    }
    if (!gaps.isEmpty()) {
      Path copy = quarantine(file, false);
      for (Gap g : gaps) {
        report(new Damage.CorruptRecord(file, g.offset, g.bytes, g.seqsLost, copy));
      }
      rewrite(file, firstSeq, buf, frames);
    }
    return tornAt;
  }

  /**
   * Moves an unreadable segment away and leaves in its place a segment holding only a gap marker for the
   * sequence numbers it covered, so the loss is reported once and its numbers are never given again:
   * up to the successor's first, or for the last segment the most records its size could hold.
   */
  private void quarantineWhole(Path file, long firstSeq, long size, long upper) throws IOException {
    report(new Damage.CorruptHeader(file, size, quarantine(file, true)));
    long count = upper != Long.MAX_VALUE ? upper - firstSeq : Math.max(0, size - Frames.HEADER_BYTES) / Frames.OVERHEAD;
    if (count > 0) {
      List<Frame> gap = List.of(new Frame(-1, 0, firstSeq, count, true));
      rewrite(file, firstSeq, null, gap);
      keep(file, firstSeq, gap);
    }
  }

  /** Bytes at {@code offset} that held no intact record, and how many sequence numbers they cost. */
  private record Gap(long offset, long bytes, long seqsLost) {}

  /**
   * The first intact frame after a bad spot whose sequence number fits where it lies: not before the
   * one expected, and below the successor segment's first. Checking the range as well as the checksum
   * keeps stray bytes from passing for a record.
   */
  private static Frame resync(ByteBuffer buf, int from, int limit, long expected, long upper) {
    for (int p = from; p + Frames.OVERHEAD <= limit; p++) {
      int length = buf.getInt(p);
      if (length < Frames.GAP || length > limit - p - Frames.OVERHEAD) {
        continue;
      }
      long seq = buf.getLong(p + 8);
      if (seq < expected || seq >= upper) {
        continue;
      }
      Frame f = Frames.decode(buf, p, limit);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private void keep(Path file, long firstSeq, List<Frame> frames) throws IOException {
    long last = frames.isEmpty() ? firstSeq - 1 : frames.getLast().lastSeq();
    lastSeq = Math.max(lastSeq, last);
    if (frames.isEmpty() || last <= committedSeq) {
      Files.delete(file); // nothing left to replay; the next append starts a fresh segment
      return;
    }
    Segment segment = new Segment(file, firstSeq, Files.size(file), last);
    // The file may have been rewritten: index the offsets the records have now.
    long offset = Frames.HEADER_BYTES;
    for (Frame f : frames) {
      if (!f.gap()) {
        segment.noteRecord(f.seq(), offset);
        if (f.seq() > committedSeq) {
          uncommitted.add(f.seq(), f.appendedAtMillis());
        }
      }
      offset += Frames.OVERHEAD + f.payloadLength();
    }
    kept.add(segment);
  }

  /**
   * Replaces the segment with its intact frames and gap markers where bytes were skipped: temp file,
   * force, atomic rename. ({@code buf} holds the original; null when every frame is a new gap marker.)
   */
  private void rewrite(Path file, long firstSeq, ByteBuffer buf, List<Frame> frames) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = opener.open(temp, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING))) {
      ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
      Frames.putHeader(header, firstSeq);
      writeFully(out, header.flip());
      ByteBuffer gap = ByteBuffer.allocate(Frames.OVERHEAD);
      for (Frame f : frames) {
        if (f.offset() < 0) {
          Frames.putGap(gap.clear(), f.seq(), f.lostCount());
          writeFully(out, gap.flip());
        } else {
          writeFully(out, buf.slice(f.offset(), f.end() - f.offset()));
        }
      }
      out.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Checkpoint.forceDirectory(dir, opener);
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private Path quarantine(Path file, boolean move) throws IOException {
    return quarantine(dir, file, move, clock, opener);
  }

  /** Moves (or copies) a damaged file into {@code quarantine/}, named by file and time. */
  static Path quarantine(Path dir, Path file, boolean move, Clock clock, ChannelOpener opener) throws IOException {
    Path qdir = Files.createDirectories(dir.resolve(QUARANTINE));
    Path target = qdir.resolve(file.getFileName() + "." + clock.millis());
    for (int n = 1; Files.exists(target); n++) {
      target = qdir.resolve(file.getFileName() + "." + clock.millis() + "-" + n);
    }
    if (move) {
      Files.move(file, target);
    } else {
      Files.copy(file, target);
    }
    try (FileChannel ch = opener.open(target, Set.of(StandardOpenOption.READ))) {
      ch.force(true);
    }
    Checkpoint.forceDirectory(qdir, opener);
    return target;
  }

  private void report(Damage damage) {
    log(damage);
    damages.add(damage);
  }

  static void log(Damage damage) {
    switch (damage) {
      case Damage.TornTail t -> log.warn("write-ahead log: torn final record in {} at offset {}; {} bytes discarded "
          + "(never acknowledged)", t.file(), t.offset(), t.bytesDiscarded());
      case Damage.CorruptRecord c -> log.error("write-ahead log: corrupt bytes in {} at offset {}: {} bytes skipped, "
          + "{} sequence numbers lost; original kept as {}", c.file(), c.offset(), c.bytesSkipped(), c.seqsLost(),
          c.quarantined());
      case Damage.CorruptHeader h -> log.error("write-ahead log: {} is not a readable segment ({} bytes); moved to {}",
          h.file(), h.bytes(), h.quarantined());
      case Damage.CorruptCheckpoint k -> log.error("write-ahead log: checkpoint {} is corrupt; replaying every live "
          + "segment (the database deduplicates by event id)", k.file());
      case Damage.IntakeTail t -> log.error("write-ahead log: intake ring {} does not check out from offset {}: {} "
          + "bytes discarded (the ring is never forced, so a power cut can leave stale pages; records stored before "
          + "the last group commit are in the segments)", t.file(), t.offset(), t.bytesDiscarded());
      case Damage.CorruptIntake c -> log.error("write-ahead log: {} is not a readable intake ring ({} bytes); moved to "
          + "{}, none of its records replayed", c.file(), c.bytes(), c.quarantined());
    }
  }
}
