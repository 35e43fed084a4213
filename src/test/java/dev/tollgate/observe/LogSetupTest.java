package dev.tollgate.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.LoggingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** JSON logs are one object per line with the key-value fields (request id, key id) machine-readable. */
class LogSetupTest {
  private final PrintStream original = System.out;

  @AfterEach
  void restore() throws Exception {
    System.setOut(original);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void jsonFormatWritesOneObjectPerLineWithKeyValues() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LogSetup.apply(new LoggingConfig("json", "info", true));

    LoggerFactory.getLogger("tollgate.access").atInfo()
        .addKeyValue("request_id", "req-1").addKeyValue("key_id", "key-9").addKeyValue("status", 200)
        .log("POST /v1/chat/completions 200");
    LoggerFactory.getLogger("tollgate.test").debug("below the level, not written");

    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(lines[0]);
    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("loggerName").asText()).isEqualTo("tollgate.access");
    assertThat(line.get("formattedMessage").asText()).isEqualTo("POST /v1/chat/completions 200");
    assertThat(line.get("kvpList").toString()).contains("\"request_id\":\"req-1\"").contains("\"key_id\":\"key-9\"");
  }

  @Test
  void textFormatShowsKeyValuesToo() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LogSetup.apply(new LoggingConfig("text", "info", true));

    LoggerFactory.getLogger("tollgate.access").atInfo().addKeyValue("request_id", "req-2").log("hello");

    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("hello").contains("request_id=\"req-2\"");
  }
}
