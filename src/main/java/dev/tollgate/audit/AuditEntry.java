package dev.tollgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One stored audit entry: the {@link AuditEvent} as appended (secrets redacted) plus its place in the
 * chain. Nullable components are those of {@link AuditEvent}.
 *
 * @param orgId the organisation the entry belongs to; null for gateway-wide entries
 * @param seq 1 for the first entry, then without gaps
 * @param prevHash {@link #hash} of entry {@code seq - 1}; 64 zeros for the first entry
 * @param hash lower-case hex SHA-256 of this entry's canonical form (see {@link AuditLog})
 */
public record AuditEntry(long seq, String id, Instant time, String orgId, Actor actor, String action, Target target,
    JsonNode before, JsonNode after, String requestId, String sourceIp, String prevHash, String hash) {}
