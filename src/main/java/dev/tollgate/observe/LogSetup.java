package dev.tollgate.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.tollgate.config.LoggingConfig;
import org.slf4j.LoggerFactory;

/**
 * Points Logback at standard output in the configured format: readable text, or one JSON object per
 * line (Logback's own encoder) with the request id and key id as key-value fields.
 */
public final class LogSetup {
  private LogSetup() {}

  public static void apply(LoggingConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J backend: leave it to its own configuration
    }
    context.reset();
    Encoder<ILoggingEvent> encoder;
    if (config.json()) {
      JsonEncoder json = new JsonEncoder();
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithContext(false);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg %kvp%n");
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.level(), Level.INFO));
    root.addAppender(console);
    // Library chatter stays at warn unless asked for.
    for (String noisy : new String[] {"com.zaxxer.hikari", "org.flywaydb", "io.netty", "io.vertx"}) {
      if (root.getLevel().isGreaterOrEqual(Level.INFO)) {
        context.getLogger(noisy).setLevel(Level.WARN);
      }
    }
  }
}
