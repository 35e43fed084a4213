package dev.tollgate.metering.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records into the active segment and forces them, sealing the segment and starting the next one
 * when it is full. Confined to the WAL's writer thread (and to {@link Wal#open} before the
 * thread starts), so it needs no locking; what readers may see goes through {@link LiveSegments}.
 */
final class SegmentWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentWriter.class);

  private final Path dir;
  private final long segmentBytes;
  private final ChannelOpener opener;
  private final LiveSegments live;
  private FileChannel channel;
  private Segment active;
  private long position;
  private long nextSeq;
  private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  /** Written since the last force, per segment touched, and the append times of those records. */
  private final List<LiveSegments.Written> unpublished = new ArrayList<>();
  private long unpublishedFirstSeq = -1;
  private long[] unpublishedTimes = new long[256];
  private int unpublishedCount;
  /** The write in progress: the first seq in the current segment, and the offsets of its frames there. */
  private long segmentFirst;
  private long[] offsets;
  private int inSegment;

  SegmentWriter(Path dir, long segmentBytes, ChannelOpener opener, LiveSegments live, long nextSeq) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.opener = opener;
    this.live = live;
    this.nextSeq = nextSeq;
  }

  /** Creates the first active segment; every earlier segment stays sealed. */
  void start() throws IOException {
    startSegment();
  }

  /**
   * Writes records with consecutive sequence numbers into the active segment (sealing it and starting the
   * next when full) and returns the first sequence number given. When this returns the bytes are in the
   * operating system's page cache: they survive a crash of the process, not yet a power cut; {@link #force}
   * makes them durable and publishes them to readers.
   */
  long write(List<byte[]> payloads, long[] appendedAt) throws IOException {
    return write(null, payloads, appendedAt);
  }

  /**
   * As {@link #write(List, long[])}, the intake ring's taken records first (each must carry the number it gets
   * here: it was promised when it was stored), then {@code payloads}.
   *
   * @throws IllegalStateException when a ring record's number is not the next one (nothing is written)
   */
  long write(IntakeRing.Batch ring, List<byte[]> payloads, long[] appendedAt) throws IOException {
    int fromRing = ring == null ? 0 : ring.count();
    for (int i = 0; i < fromRing; i++) {
      if (ring.seq(i) != nextSeq + i) {
        throw new IllegalStateException("intake record %d of %d was given sequence number %d; the log is at %d"
            .formatted(i + 1, fromRing, ring.seq(i), nextSeq + i));
      }
    }
    long firstSeq = nextSeq;
    buffer.clear();
    segmentFirst = nextSeq;
    offsets = new long[fromRing + payloads.size()];
    inSegment = 0;
    for (int i = 0; i < fromRing; i++) {
      int start = startFrame(ring.length(i), ring.appendedAtMillis(i));
      ring.copyPayload(i, buffer);
      Frames.sealFrame(buffer, start, ring.length(i));
    }
    for (int i = 0; i < payloads.size(); i++) {
      byte[] payload = payloads.get(i);
      int start = startFrame(payload.length, appendedAt[i]);
      buffer.put(payload);
      Frames.sealFrame(buffer, start, payload.length);
    }
    flushBuffer();
    if (inSegment > 0) {
      unpublished.add(new LiveSegments.Written(active, position, segmentFirst, nextSeq - 1,
          Arrays.copyOf(offsets, inSegment)));
    }
    if (unpublishedFirstSeq < 0 && nextSeq > firstSeq) {
      unpublishedFirstSeq = firstSeq;
    }
    return firstSeq;
  }

  /**
   * Makes room for the next frame in the buffer (sealing the segment and starting the next when it would
   * not fit), notes its offset and time, and puts its fields; the caller puts its payload and seals it.
   */
  private int startFrame(int payloadLength, long appendedAtMillis) throws IOException {
    long frame = Frames.frameBytes(payloadLength);
    long end = position + buffer.position();
    if (end > Frames.HEADER_BYTES && end + frame > segmentBytes) {
      flushBuffer();
      channel.force(false);
      unpublished.add(new LiveSegments.Written(active, position, segmentFirst, nextSeq - 1,
          Arrays.copyOf(offsets, inSegment)));
      channel.close();
      startSegment();
      segmentFirst = nextSeq;
      inSegment = 0;
      end = position;
    }
    if (buffer.remaining() < frame) {
      flushBuffer();
      if (buffer.capacity() < frame) {
        buffer = ByteBuffer.allocate((int) frame);
      }
      end = position;
    }
    offsets[inSegment++] = end;
    if (unpublishedCount == unpublishedTimes.length) {
      unpublishedTimes = Arrays.copyOf(unpublishedTimes, unpublishedCount * 2);
    }
    unpublishedTimes[unpublishedCount++] = appendedAtMillis;
    return Frames.startFrame(buffer, nextSeq++, appendedAtMillis, payloadLength);
  }

  /** The sequence number the next record written gets. */
  long nextSeq() {
    return nextSeq;
  }

  /** Whether records were written since the last {@link #force}. */
  boolean dirty() {
    return unpublishedCount > 0;
  }

  /** Forces what was written ({@code fdatasync}) and publishes it as durable; returns the last durable seq. */
  long force() throws IOException {
    // fdatasync: segment sizes only grow, and a torn size is what recovery's checksums are for.
    channel.force(false);
    live.publish(unpublished, unpublishedFirstSeq, Arrays.copyOf(unpublishedTimes, unpublishedCount));
    unpublished.clear();
    unpublishedFirstSeq = -1;
    unpublishedCount = 0;
    return nextSeq - 1;
  }

  private void flushBuffer() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    buffer.clear();
  }

  /**
   * Creates the next segment, named by the sequence number its first record will have. Its header and
   * its directory entry are forced before any record goes in, so a crash can tear a record but never
   * lose the file the earlier ones are in.
   */
  private void startSegment() throws IOException {
    Path path = dir.resolve(Frames.segmentName(nextSeq));
    channel = opener.open(path, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.READ,
        StandardOpenOption.CREATE_NEW));
    ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
    Frames.putHeader(header, nextSeq);
    header.flip();
    position = 0;
    while (header.hasRemaining()) {
      position += channel.write(header, position);
    }
    channel.force(true);
    Checkpoint.forceDirectory(dir, opener);
    active = new Segment(path, nextSeq, Frames.HEADER_BYTES, nextSeq - 1);
    live.charge(Frames.HEADER_BYTES);
    delete(live.addActive(active));
  }

  /** Deletes segments whose records are all committed; a failure only leaves a file for recovery to drop. */
  static void delete(List<Segment> segments) {
    for (Segment s : segments) {
      try {
        Files.deleteIfExists(s.path);
      } catch (IOException e) {
        log.warn("cannot delete committed write-ahead log segment {}: {}", s.path, e.toString());
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
