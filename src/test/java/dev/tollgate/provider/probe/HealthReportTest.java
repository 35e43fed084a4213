package dev.tollgate.provider.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthReportTest {
  private final ObjectMapper json = new ObjectMapper();
  private final Instant at = Instant.parse("2026-11-26T02:30:00Z");

  @Test
  void listsProvidersInOrderWithASummaryOfEveryStatus() throws Exception {
    List<ProbeResult> results = List.of(
        new ProbeResult("openai", ProviderType.OPENAI, ProbeStatus.UP, 182,
            "model list answered (93 on the first page)"),
        new ProbeResult("claude", ProviderType.ANTHROPIC, ProbeStatus.AUTH_FAILED, 95,
            "HTTP 401 authentication_error: invalid x-api-key"),
        new ProbeResult("local", ProviderType.MOCK, ProbeStatus.UP, 0, "built-in mock"));

    assertThat(wire(HealthReport.toJson(json, results, at))).isEqualTo(json.readTree("""
        {"checked_at": "2026-11-26T02:30:00Z", "healthy": false,
         "summary": {"up": 2, "down": 0, "auth_failed": 1, "unreachable": 0, "timeout": 0},
         "providers": [
           {"name": "openai", "type": "openai", "status": "up", "latency_ms": 182,
            "detail": "model list answered (93 on the first page)"},
           {"name": "claude", "type": "anthropic", "status": "auth_failed", "latency_ms": 95,
            "detail": "HTTP 401 authentication_error: invalid x-api-key"},
           {"name": "local", "type": "mock", "status": "up", "latency_ms": 0, "detail": "built-in mock"}]}"""));
  }

  @Test
  void noProvidersIsHealthy() throws Exception {
    assertThat(wire(HealthReport.toJson(json, List.of(), at))).isEqualTo(json.readTree("""
        {"checked_at": "2026-11-26T02:30:00Z", "healthy": true,
         "summary": {"up": 0, "down": 0, "auth_failed": 0, "unreachable": 0, "timeout": 0}, "providers": []}"""));
  }

  /** As a client reads it: numbers compare by value, not by Jackson's node class. */
  private com.fasterxml.jackson.databind.JsonNode wire(com.fasterxml.jackson.databind.JsonNode node) throws Exception {
    return json.readTree(json.writeValueAsBytes(node));
  }
}
