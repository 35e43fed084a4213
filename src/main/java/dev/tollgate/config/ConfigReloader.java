package dev.tollgate.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the configuration file when it changes (polled: a content digest every {@code interval},
 * which also sees editors that replace the file and Kubernetes config maps that swap a symlink) or when
 * asked to ({@code SIGHUP}), and hands a valid new configuration to the running gateway. An invalid
 * file is reported problem by problem and changes nothing: the gateway goes on with what it has.
 *
 * <p>Thread-safe: reloads are serialised; polling runs on one virtual thread.
 */
public final class ConfigReloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

  private final Path file;
  private final Supplier<TollgateConfig> loader;
  private final Function<TollgateConfig, List<String>> apply;
  private final Duration interval;
  private byte[] digest;
  private volatile Thread poller;

  /**
   * @param loader reads and validates the file (throws {@link ConfigException})
   * @param apply applies a new configuration; returns the sections that changed but apply only at restart
   */
  public ConfigReloader(Path file, Supplier<TollgateConfig> loader, Function<TollgateConfig, List<String>> apply,
      Duration interval) {
    this.file = file;
    this.loader = loader;
    this.apply = apply;
    this.interval = interval;
    this.digest = digest();
  }

  /** Starts watching the file. */
  public void start() {
    poller = Thread.ofVirtual().name("config-reloader").start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(interval);
        } catch (InterruptedException e) {
          return;
        }
        byte[] now = digest();
        boolean changed;
        synchronized (this) {
          changed = now != null && !Arrays.equals(now, digest);
        }
        if (changed) {
          reload("the file changed");
        }
      }
    });
  }

  /** What a reload did. */
  public enum Outcome { APPLIED, INVALID, UNREADABLE }

  /** Reads the file and applies it if it is valid; {@code why} is for the log. */
  public synchronized Outcome reload(String why) {
    digest = digest();
    TollgateConfig next;
    try {
      next = loader.get();
    } catch (ConfigException e) {
      log.error("configuration {} not reloaded ({}): it has {} problem(s); the gateway goes on with the previous one:\n  {}",
          file, why, e.problems().size(), String.join("\n  ", e.problems()));
      return Outcome.INVALID;
    } catch (RuntimeException e) {
      log.error("configuration {} not reloaded ({}): {}", file, why, e.toString());
      return Outcome.UNREADABLE;
    }
    List<String> restart = apply.apply(next);
    log.info("configuration {} reloaded ({}): rate limits, budgets declared in the file and prices apply now{}", file,
        why, restart.isEmpty() ? "" : "; changes to " + String.join(", ", restart) + " apply at the next restart");
    return Outcome.APPLIED;
  }

  private byte[] digest() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null; // missing for a moment while an editor replaces it: look again next time
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    Thread t = poller;
    if (t != null) {
      t.interrupt();
    }
  }
}
