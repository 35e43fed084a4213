package dev.tollgate.provider.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * The JSON of {@code GET /admin/v1/providers/health} and of {@code tollgate doctor --json}:
 *
 * <pre>{@code
 * {"checked_at": "2026-11-26T02:30:00Z", "healthy": false,
 *  "summary": {"up": 1, "down": 0, "auth_failed": 1, "unreachable": 0, "timeout": 0},
 *  "providers": [{"name": "openai", "type": "openai", "status": "up", "latency_ms": 182,
 *                 "detail": "model list answered (93 on the first page)"}, ...]}
 * }</pre>
 *
 * {@code healthy} is true when every provider is up (also when none is configured); {@code summary}
 * lists every status, zeros included, so dashboards need no defaults. Providers keep config order.
 */
public final class HealthReport {
  private HealthReport() {}

  public static ObjectNode toJson(ObjectMapper json, List<ProbeResult> results, Instant checkedAt) {
    ObjectNode root = json.createObjectNode();
    root.put("checked_at", checkedAt.toString());
    root.put("healthy", results.stream().allMatch(ProbeResult::up));
    ObjectNode summary = root.putObject("summary");
    for (ProbeStatus s : ProbeStatus.values()) {
      summary.put(s.wireName(), results.stream().filter(r -> r.status() == s).count());
    }
    ArrayNode providers = root.putArray("providers");
    for (ProbeResult r : results) {
      ObjectNode p = providers.addObject();
      p.put("name", r.provider());
      p.put("type", r.type().configName());
      p.put("status", r.status().wireName());
      p.put("latency_ms", r.latencyMillis());
      p.put("detail", r.detail());
    }
    return root;
  }
}
