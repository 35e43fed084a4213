package dev.tollgate.audit;

import dev.tollgate.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code audit:} section of the configuration.
 *
 * @param redactFields field names redacted in addition to {@link Redactor#DEFAULT_FIELDS} ({@code audit.redact_fields})
 * @param maxSnapshotBytes largest canonical before/after JSON kept whole; a larger one is replaced by
 *     {@code {"truncated":{"bytes":N,"sha256":"..."}}} so one huge object cannot bloat the log
 *     ({@code audit.max_snapshot_bytes}, 1 KiB to 16 MiB)
 */
public record AuditConfig(List<String> redactFields, int maxSnapshotBytes) {
  public static final int DEFAULT_MAX_SNAPSHOT_BYTES = 64 * 1024;
  private static final int MIN_SNAPSHOT_BYTES = 1024;
  private static final int MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;

  public AuditConfig {
    List<String> problems = new ArrayList<>();
    if (redactFields == null) {
      redactFields = List.of();
    }
    for (int i = 0; i < redactFields.size(); i++) {
      String f = redactFields.get(i);
      if (f == null || Redactor.normalize(f).isEmpty()) {
        problems.add("audit.redact_fields[" + i + "]: '" + f + "' (expected: a field name with letters or digits)");
      }
    }
    if (maxSnapshotBytes < MIN_SNAPSHOT_BYTES || maxSnapshotBytes > MAX_SNAPSHOT_BYTES) {
      problems.add("audit.max_snapshot_bytes: " + maxSnapshotBytes + " (expected: " + MIN_SNAPSHOT_BYTES + " to "
          + MAX_SNAPSHOT_BYTES + ")");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    redactFields = List.copyOf(redactFields);
  }

  /** No extra fields, 64 KiB snapshots. */
  public static AuditConfig defaults() {
    return new AuditConfig(List.of(), DEFAULT_MAX_SNAPSHOT_BYTES);
  }

  public Redactor redactor() {
    return new Redactor(redactFields);
  }
}
