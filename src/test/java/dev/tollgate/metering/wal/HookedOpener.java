package dev.tollgate.metering.wal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens real channels wrapped so that tests can count and intercept {@code force} on segment files:
 * the hook runs before the real force (it may block or throw). Public for the ledger's tests, which stall
 * the log's writer with it.
 */
public final class HookedOpener implements ChannelOpener {
  /** Runs before each force of a segment; may block or fail it. */
  @FunctionalInterface
  public interface ForceHook {
    void beforeForce(Path segment) throws IOException;
  }

  public final AtomicInteger segmentForces = new AtomicInteger();
  public volatile ForceHook hook = path -> {};

  @Override
  public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
    FileChannel real = FileChannel.open(path, options);
    return Frames.firstSeqOf(path) >= 0 ? new Hooked(real, path) : real;
  }

  private final class Hooked extends FileChannel {
    private final FileChannel d;
    private final Path path;

    Hooked(FileChannel d, Path path) {
      this.d = d;
      this.path = path;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      hook.beforeForce(path);
      d.force(metaData);
      segmentForces.incrementAndGet();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return d.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return d.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return d.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return d.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      d.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      d.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return d.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return d.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return d.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return d.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return d.map(mode, position, size);
    }

    @Override
    public MemorySegment map(MapMode mode, long offset, long size, Arena arena) throws IOException {
      return d.map(mode, offset, size, arena);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      d.close();
    }
  }
}
