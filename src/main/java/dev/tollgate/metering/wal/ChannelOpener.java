package dev.tollgate.metering.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/** Opens every file channel the WAL uses; tests wrap it to count or stall {@code force} calls. */
@FunctionalInterface
public interface ChannelOpener {

  FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;

  /** Plain {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])}. */
  static ChannelOpener standard() {
    return (path, options) -> FileChannel.open(path, options);
  }
}
