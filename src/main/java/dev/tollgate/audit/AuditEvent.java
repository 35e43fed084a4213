package dev.tollgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/**
 * Something to append to the audit log; the log adds the sequence number, id, time and hashes, and
 * redacts secrets from {@code before}/{@code after} itself, so callers may pass objects as they are.
 *
 * @param orgId the organisation the event belongs to, whose admins and auditors may read it; null for
 *     gateway-wide events (provider secrets, failed sign-ins of unknown users, the master key acting on
 *     global objects), which only the master key reads
 * @param action dotted lower-case name, e.g. {@code key.create}, {@code signin.failure} (see {@link AuditActions})
 * @param target what was acted on; null when nothing in particular
 * @param before the object's state before the change (JSON), null when it did not exist or does not apply
 * @param after its state after the change, null when it no longer exists or does not apply
 * @param requestId the request id of the admin call or sign-in, null when none
 * @param sourceIp the caller's address, null when none
 */
public record AuditEvent(String orgId, Actor actor, String action, Target target, JsonNode before, JsonNode after,
    String requestId, String sourceIp) {
  static final int MAX_ID = 256;
  private static final int MAX_ACTION = 100;
  private static final int MAX_REQUEST_ID = 200;
  private static final int MAX_SOURCE_IP = 64;
  private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

  public AuditEvent {
    if (actor == null) {
      throw new IllegalArgumentException("actor: null");
    }
    checkOrgId("org id", orgId);
    checkAction("action", action);
    checkLength("request id", requestId, MAX_REQUEST_ID);
    checkLength("source ip", sourceIp, MAX_SOURCE_IP);
  }

  /** A gateway-wide event without before/after state, request id or source address. */
  public static AuditEvent of(Actor actor, String action, Target target) {
    return new AuditEvent(null, actor, action, target, null, null, null, null);
  }

  /** This event as belonging to organisation {@code orgId}; null makes it gateway-wide. */
  public AuditEvent withOrg(String orgId) {
    return new AuditEvent(orgId, actor, action, target, before, after, requestId, sourceIp);
  }

  /** This event with the object's state before and after the change. */
  public AuditEvent withChange(JsonNode before, JsonNode after) {
    return new AuditEvent(orgId, actor, action, target, before, after, requestId, sourceIp);
  }

  /** This event with the request it came from. */
  public AuditEvent withRequest(String requestId, String sourceIp) {
    return new AuditEvent(orgId, actor, action, target, before, after, requestId, sourceIp);
  }

  /** Leaves out before/after: they are not yet redacted and may hold secrets. */
  @Override
  public String toString() {
    return "AuditEvent[orgId=" + orgId + ", actor=" + actor + ", action=" + action + ", target=" + target
        + ", before=" + (before == null ? "none" : "(hidden)") + ", after=" + (after == null ? "none" : "(hidden)")
        + ", requestId=" + requestId + ", sourceIp=" + sourceIp + "]";
  }

  static void checkAction(String what, String action) {
    if (action == null || action.length() > MAX_ACTION || !ACTION.matcher(action).matches()) {
      throw new IllegalArgumentException(what + ": '" + action
          + "' (expected: dotted lower-case words such as key.create, at most " + MAX_ACTION + " characters)");
    }
  }

  /** Null is fine (gateway-wide); blank is not, since it would be an organisation nobody belongs to. */
  static void checkOrgId(String what, String orgId) {
    if (orgId != null && orgId.isBlank()) {
      throw new IllegalArgumentException(what + ": blank (expected: an organisation id, or null for gateway-wide)");
    }
    checkLength(what, orgId, MAX_ID);
  }

  static void checkLength(String what, String value, int max) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(what + ": " + value.length() + " characters (expected: <= " + max + ")");
    }
  }
}
