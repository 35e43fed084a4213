package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.access.policy.Principal;

/**
 * Where admin mutations are recorded: who did what to which target, with the target before and after
 * (secret-free views only), the request id and the source address.
 */
@FunctionalInterface
public interface AdminAudit {

  /**
   * One change. {@code orgId} is the organisation the target belongs to (null for gateway-wide things);
   * {@code before} is null for a creation, {@code after} for a deletion.
   */
  record Change(Principal actor, String orgId, String action, String targetType, String targetId, JsonNode before,
      JsonNode after, String requestId, String sourceIp) {}

  void record(Change change);
}
