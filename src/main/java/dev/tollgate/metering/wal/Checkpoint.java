package dev.tollgate.metering.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The committed position, a 16-byte file ({@code magic, seq, crc32c}) replaced atomically: written to a
 * temporary file, forced, renamed over the old one, then the directory forced so the rename survives a
 * crash. A reader therefore sees the old position or the new one, never a mix.
 */
final class Checkpoint {
  static final String FILE = "checkpoint";
  static final String TEMP = "checkpoint.tmp";
  private static final int MAGIC = 0x5447_434B; // "TGCK"
  private static final int BYTES = 16;

  private Checkpoint() {}

  /** The committed sequence number: 0 when there is no checkpoint; -1 when the file does not check out. */
  static long read(Path dir) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve(FILE));
    } catch (NoSuchFileException e) {
      return 0;
    }
    if (bytes.length != BYTES) {
      return -1;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long seq = buf.getLong(4);
    if (buf.getInt(0) != MAGIC || buf.getInt(12) != crc(buf) || seq < 0) {
      return -1;
    }
    return seq;
  }

  static void write(Path dir, long seq, ChannelOpener opener) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BYTES).putInt(MAGIC).putLong(seq);
    buf.putInt(crc(buf));
    buf.flip();
    Path temp = dir.resolve(TEMP);
    try (FileChannel ch = opener.open(temp, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING))) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir, opener);
  }

  /** Makes creations, renames and deletions in {@code dir} durable (fsync of the directory itself). */
  static void forceDirectory(Path dir, ChannelOpener opener) throws IOException {
    try (FileChannel ch = opener.open(dir, Set.of(StandardOpenOption.READ))) {
      ch.force(true);
    }
  }

  private static int crc(ByteBuffer buf) {
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(0, 12));
    return (int) crc.getValue();
  }
}
