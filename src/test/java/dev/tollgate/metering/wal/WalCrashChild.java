package dev.tollgate.metering.wal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Run by {@link WalCrashTest} in a child JVM: stores records from several threads forever and prints an
 * acknowledgement for each one only after its future completed. The parent kills it.
 * Arguments: the directory, the mode and the commit interval in milliseconds. Modes:
 * <ul>
 *   <li>{@code append}: acknowledged once forced; prints {@code ack <seq> <payload>}.
 *   <li>{@code write}: {@link Wal#write} with an intake too small for most records, so that most are queued and
 *       acknowledged once written, before their force; prints {@code ack - <payload>}.
 *   <li>{@code ring}: {@link Wal#write} and {@link Wal#writeLater} in turn with an intake large enough for every
 *       record, so that they are acknowledged when stored in it; prints {@code ack - <payload>}.
 * </ul>
 */
public final class WalCrashChild {
  private WalCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String mode = args[1];
    WalConfig config = new WalConfig(dir, 64 * 1024, Duration.ofMillis(Long.parseLong(args[2])), 1L << 30,
        1L << 30, 0);
    long intakeBytes = mode.equals("ring") ? 8L << 20 : 4096;
    Wal wal = Wal.open(config, Clock.systemUTC(), ChannelOpener.standard(), intakeBytes);
    System.out.println("ready");
    System.out.flush();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread.ofPlatform().start(() -> {
        for (long i = 0; ; i++) {
          String payload = "t" + thread + "-" + i;
          byte[] bytes = payload.getBytes(UTF_8);
          String seq = "-";
          switch (mode) {
            case "append" -> seq = Long.toString(wal.append(bytes).join());
            case "write" -> wal.write(bytes).join();
            case "ring" -> {
              CompletableFuture<Void> f = i % 2 == 0 ? wal.write(bytes) : wal.writeLater(bytes);
              f.join();
            }
            default -> throw new IllegalArgumentException(mode);
          }
          synchronized (System.out) {
            System.out.println("ack " + seq + " " + payload);
            System.out.flush();
          }
        }
      });
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
