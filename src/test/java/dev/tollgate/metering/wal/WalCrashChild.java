package dev.tollgate.metering.wal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Run by {@link WalCrashTest} in a child JVM: appends records from several threads forever and prints
 * {@code ack <seq> <payload>} for each one only after its future completed. The parent kills it.
 * Arguments: the directory, {@code append} (acknowledged once forced) or {@code write} (acknowledged once
 * written, before its force), and the commit interval in milliseconds.
 */
public final class WalCrashChild {
  private WalCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    boolean written = args[1].equals("write");
    WalConfig config = new WalConfig(dir, 64 * 1024, Duration.ofMillis(Long.parseLong(args[2])), 1L << 30,
        1L << 30, 0);
    Wal wal = Wal.open(config, Clock.systemUTC());
    System.out.println("ready");
    System.out.flush();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread.ofPlatform().start(() -> {
        for (long i = 0; ; i++) {
          String payload = "t" + thread + "-" + i;
          CompletableFuture<Long> f = written ? wal.write(payload.getBytes(UTF_8)) : wal.append(payload.getBytes(UTF_8));
          long seq = f.join();
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
