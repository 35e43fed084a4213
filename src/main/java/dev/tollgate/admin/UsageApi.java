package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.policy.Action;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.server.ApiError;
import dev.tollgate.store.JdbiUsageStore;
import dev.tollgate.store.UsageGroup;
import dev.tollgate.store.UsageTotals;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /admin/v1/usage}: totals per day, model, key, team or user from the daily aggregates; and
 * {@code GET /admin/v1/usage/export}: usage events as JSON lines or CSV, streamed with flat memory. Both
 * are limited to what the caller's role may see (their organisation, their teams, or their own calls).
 */
final class UsageApi {
  /** Rows a report may have: a year of days x keys x models is well past what a page should carry. */
  static final int MAX_REPORT_ROWS = 10_000;
  /** Days a report covers when {@code from} is not given, ending with {@code to}. */
  static final int DEFAULT_REPORT_DAYS = 30;

  private final JdbiUsageStore usage;
  private final Guard guard;
  private final ObjectMapper json;
  private final Clock clock;

  UsageApi(JdbiUsageStore usage, Guard guard, ObjectMapper json, Clock clock) {
    this.usage = usage;
    this.guard = guard;
    this.json = json;
    this.clock = clock;
  }

  List<AdminRoute> routes() {
    return List.of(AdminRoute.get("/admin/v1/usage", Action.USAGE_READ,
        "Usage totals over whole UTC days, optionally grouped by day, model, key, team and user",
        new Doc("getUsage", new Doc.One("UsageReport"), List.of(
            Doc.param("from", Schema.date(), "First day (UTC, inclusive), e.g. 2026-01-01; default: "
                + (DEFAULT_REPORT_DAYS - 1) + " days before 'to'. Reports count whole days: no times of day"),
            Doc.param("to", Schema.date(), "Last day (UTC, inclusive); default: today"),
            Doc.param("group_by", Schema.string(), "Comma-separated, each at most once: day, model, key, team, "
                + "user; default: none (one row, the totals)"),
            Doc.param("key_id", Schema.string(), "Only calls of this key"),
            Doc.param("team_id", Schema.string(), "Only calls of this team"),
            Doc.param("user_id", Schema.string(), "Only calls of this user"),
            Doc.param("model", Schema.string(), "Only calls for this model name")), List.of()), this::report),
        AdminRoute.get("/admin/v1/usage/export", Action.USAGE_READ,
        "Export usage events (format=jsonl|csv, from, to, key_id, team_id, user_id, model)",
        Doc.download("exportUsage", "Usage events oldest first, streamed: one JSON object per line (jsonl) or "
            + "a header line and one row per event (csv)", Map.of("application/x-ndjson",
            Schema.ref("UsageExportLine"), "text/csv", Schema.string()),
            Doc.param("format", Schema.oneOf("jsonl", "csv"), "The file format; default: jsonl"),
            Doc.param("from", Schema.string(), "Events at or after this date (2026-01-31), instant "
                + "(2026-01-31T00:00:00Z) or epoch milliseconds; default: the beginning"),
            Doc.param("to", Schema.string(), "Events before this date, instant or epoch milliseconds; default: now"),
            Doc.param("key_id", Schema.string(), "Only events of this key"),
            Doc.param("team_id", Schema.string(), "Only events of this team"),
            Doc.param("user_id", Schema.string(), "Only events of this user"),
            Doc.param("model", Schema.string(), "Only events for this model name")), this::export));
  }

  private JsonNode report(AdminCall call) {
    LocalDate to = day(call, "to").orElseGet(() -> LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
    LocalDate from = day(call, "from").orElseGet(() -> to.minusDays(DEFAULT_REPORT_DAYS - 1));
    if (from.isAfter(to)) {
      throw ApiError.invalidRequest("'from' (" + from + ") is after 'to' (" + to + ")", "from").exception();
    }
    List<UsageGroup> groupBy = groupBy(call.query("group_by").orElse(""));
    List<JdbiUsageStore.DailyRow> rows = usage.daily(new JdbiUsageStore.DailyQuery(from, to,
        guard.scope(call, Action.USAGE_READ), call.query("key_id"), call.query("team_id"), call.query("user_id"),
        call.query("model"), groupBy), MAX_REPORT_ROWS);
    if (rows.size() > MAX_REPORT_ROWS) {
      throw ApiError.invalidRequest("the report would have more than " + MAX_REPORT_ROWS + " rows; group by fewer "
          + "fields, narrow 'from' and 'to', or filter", "group_by").exception();
    }
    ObjectNode root = json.createObjectNode().put("object", "list").put("from", from.toString())
        .put("to", to.toString());
    ArrayNode grouped = root.putArray("group_by");
    groupBy.forEach(g -> grouped.add(g.wireName()));
    ArrayNode data = root.putArray("data");
    UsageTotals totals = UsageTotals.ZERO;
    for (JdbiUsageStore.DailyRow row : rows) {
      ObjectNode item = data.addObject();
      row.groups().forEach((g, value) -> item.put(g.column(), value));
      sums(item, row.totals());
      totals = totals.plus(row.totals());
    }
    sums(root.putObject("totals"), totals);
    return root;
  }

  private static void sums(ObjectNode o, UsageTotals t) {
    o.put("requests", t.requests()).put("input_tokens", t.inputTokens()).put("output_tokens", t.outputTokens())
        .put("cached_tokens", t.cachedTokens()).put("reasoning_tokens", t.reasoningTokens())
        .put("estimated_requests", t.estimatedRequests()).put("error_requests", t.errorRequests())
        .put("cost_micros", t.costMicros()).put("cost_usd", Usd.format(t.costMicros()));
  }

  private static Optional<LocalDate> day(AdminCall call, String name) {
    Optional<String> value = call.query(name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      if (value.get().matches("\\d{4}-\\d{2}-\\d{2}")) {
        return Optional.of(LocalDate.parse(value.get()));
      }
    } catch (DateTimeParseException e) {
      // falls through to the 400
    }
    throw ApiError.invalidRequest("'" + name + "' must be a day such as 2026-01-31 (UTC; reports count whole "
        + "days)", name).exception();
  }

  private static List<UsageGroup> groupBy(String value) {
    List<UsageGroup> out = new ArrayList<>();
    if (value.isBlank()) {
      return out;
    }
    for (String part : value.split(",", -1)) {
      UsageGroup g = UsageGroup.parse(part.strip()).orElseThrow(() -> ApiError.invalidRequest("'group_by' must list "
          + "day, model, key, team or user, comma-separated; '" + part.strip() + "' is none of them", "group_by")
          .exception());
      if (out.contains(g)) {
        throw ApiError.invalidRequest("'group_by' lists '" + g.wireName() + "' twice", "group_by").exception();
      }
      out.add(g);
    }
    return out;
  }

  private Object export(AdminCall call) {
    String format = call.query("format").orElse("jsonl");
    if (!format.equals("jsonl") && !format.equals("csv")) {
      throw ApiError.invalidRequest("'format' must be jsonl or csv", "format").exception();
    }
    long from = instant(call, "from", 0);
    long to = instant(call, "to", clock.millis() + 1);
    JdbiUsageStore.ExportQuery query = new JdbiUsageStore.ExportQuery(from, to,
        guard.scope(call, Action.USAGE_READ), call.query("key_id"), call.query("team_id"),
        call.query("user_id"), call.query("model"));
    UsageWriter writer = format.equals("csv") ? new CsvUsageWriter() : new JsonlUsageWriter(json);
    Download.send(call, format.equals("csv") ? "text/csv; charset=utf-8" : "application/x-ndjson",
        "usage." + format, sink -> {
          if (!writer.header().isEmpty()) {
            sink.accept(writer.header());
          }
          usage.export(query, event -> sink.accept(writer.line(event)));
        });
    return null;
  }

  static long instant(AdminCall call, String name, long fallback) {
    try {
      return instantParam(call.query(name).orElse(null), fallback);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidRequest(e.getMessage(), name).exception();
    }
  }

  static long instantParam(String value, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      if (value.matches("\\d+")) {
        return Long.parseLong(value);
      }
      if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a date (2026-01-31), an instant "
          + "(2026-01-31T00:00:00Z) or epoch milliseconds");
    }
  }

  /** One export format. */
  private interface UsageWriter {
    String header();

    String line(UsageEvent e);
  }

  private record JsonlUsageWriter(ObjectMapper json) implements UsageWriter {
    @Override
    public String header() {
      return "";
    }

    @Override
    public String line(UsageEvent e) {
      ObjectNode o = json.createObjectNode()
          .put("id", e.id()).put("request_id", e.requestId()).put("key_id", e.keyId()).put("endpoint", e.endpoint())
          .put("model", e.model()).put("deployment", e.deployment()).put("provider", e.provider())
          .put("upstream_model", e.upstreamModel()).put("input_tokens", e.inputTokens())
          .put("output_tokens", e.outputTokens()).put("cached_tokens", e.cachedTokens())
          .put("reasoning_tokens", e.reasoningTokens()).put("estimated", e.estimated())
          .put("cost_micros", e.costMicros()).put("status", e.status()).put("http_status", e.httpStatus())
          .put("latency_ms", e.latencyMs());
      if (e.ttftMs() >= 0) {
        o.put("ttft_ms", e.ttftMs());
      } else {
        o.putNull("ttft_ms");
      }
      o.put("streamed", e.streamed()).put("error", e.error())
          .put("created_at", Instant.ofEpochMilli(e.createdAt()).toString())
          .put("attempt", e.attempt()).put("route", e.route())
          .put("team_id", e.teamId()).put("user_id", e.userId());
      return o + "\n";
    }
  }

  private static final class CsvUsageWriter implements UsageWriter {
    @Override
    public String header() {
      return "id,request_id,key_id,endpoint,model,deployment,provider,upstream_model,input_tokens,output_tokens,"
          + "cached_tokens,reasoning_tokens,estimated,cost_micros,status,http_status,latency_ms,ttft_ms,streamed,"
          + "error,created_at,attempt,route,team_id,user_id\n";
    }

    @Override
    public String line(UsageEvent e) {
      return String.join(",", csv(e.id()), csv(e.requestId()), csv(e.keyId()), csv(e.endpoint()), csv(e.model()),
          csv(e.deployment()), csv(e.provider()), csv(e.upstreamModel()), Long.toString(e.inputTokens()),
          Long.toString(e.outputTokens()), Long.toString(e.cachedTokens()), Long.toString(e.reasoningTokens()),
          Boolean.toString(e.estimated()), Long.toString(e.costMicros()), csv(e.status()),
          Integer.toString(e.httpStatus()), Long.toString(e.latencyMs()), e.ttftMs() < 0 ? "" : Long.toString(e.ttftMs()),
          Boolean.toString(e.streamed()), csv(e.error()), Instant.ofEpochMilli(e.createdAt()).toString(),
          Integer.toString(e.attempt()), csv(e.route()), csv(e.teamId()), csv(e.userId())) + "\n";
    }

    private static String csv(String value) {
      if (value == null) {
        return "";
      }
      // Quote, and defuse spreadsheet formulas: exported text may come from callers.
      String v = value.startsWith("=") || value.startsWith("+") || value.startsWith("-") || value.startsWith("@")
          ? "'" + value : value;
      if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || !v.equals(value)) {
        return "\"" + v.replace("\"", "\"\"") + "\"";
      }
      return v;
    }
  }
}
