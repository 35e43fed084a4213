package dev.tollgate.audit;

import java.time.Instant;

/**
 * Which entries a query returns; every null component matches everything.
 *
 * @param orgId only entries of this organisation; gateway-wide entries never match it. Null reads every
 *     organisation's entries and the gateway-wide ones, which is for the master key only
 * @param from earliest time, inclusive
 * @param to latest time, exclusive
 * @param actorType only this kind of actor
 * @param actorId only this actor id
 * @param action this action or any below it: {@code key} matches {@code key}, {@code key.create},
 *     {@code key.revoke}, but not {@code keyring.create}
 * @param targetType only targets of this type
 * @param targetId only this target id
 */
public record AuditFilter(String orgId, Instant from, Instant to, Actor.Type actorType, String actorId, String action,
    String targetType, String targetId) {
  public AuditFilter {
    AuditEvent.checkOrgId("org filter", orgId);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from: " + from + " (expected: before to, " + to + ")");
    }
    if (action != null) {
      AuditEvent.checkAction("action filter", action);
    }
  }

  /** Every entry, of every organisation and gateway-wide: what the master key sees. */
  public static AuditFilter all() {
    return new AuditFilter(null, null, null, null, null, null, null, null);
  }

  /**
   * Only the entries of organisation {@code orgId}. Null is refused rather than read as "every
   * organisation", so a caller that lost a person's organisation fails instead of showing everything.
   */
  public AuditFilter byOrg(String orgId) {
    if (orgId == null) {
      throw new IllegalArgumentException("org filter: null (expected: an organisation id; leave it unset for "
          + "every organisation)");
    }
    return new AuditFilter(orgId, from, to, actorType, actorId, action, targetType, targetId);
  }

  public AuditFilter between(Instant from, Instant to) {
    return new AuditFilter(orgId, from, to, actorType, actorId, action, targetType, targetId);
  }

  public AuditFilter byActor(Actor.Type type, String id) {
    return new AuditFilter(orgId, from, to, type, id, action, targetType, targetId);
  }

  public AuditFilter byAction(String action) {
    return new AuditFilter(orgId, from, to, actorType, actorId, action, targetType, targetId);
  }

  public AuditFilter byTarget(String type, String id) {
    return new AuditFilter(orgId, from, to, actorType, actorId, action, type, id);
  }
}
