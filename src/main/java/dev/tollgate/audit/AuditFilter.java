package dev.tollgate.audit;

import java.time.Instant;

/**
 * Which entries a query returns; every null component matches everything.
 *
 * @param from earliest time, inclusive
 * @param to latest time, exclusive
 * @param actorType only this kind of actor
 * @param actorId only this actor id
 * @param action this action or any below it: {@code key} matches {@code key}, {@code key.create},
 *     {@code key.revoke}, but not {@code keyring.create}
 * @param targetType only targets of this type
 * @param targetId only this target id
 */
public record AuditFilter(Instant from, Instant to, Actor.Type actorType, String actorId, String action,
    String targetType, String targetId) {
  public AuditFilter {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from: " + from + " (expected: before to, " + to + ")");
    }
    if (action != null) {
      AuditEvent.checkAction("action filter", action);
    }
  }

  /** Every entry. */
  public static AuditFilter all() {
    return new AuditFilter(null, null, null, null, null, null, null);
  }

  public AuditFilter between(Instant from, Instant to) {
    return new AuditFilter(from, to, actorType, actorId, action, targetType, targetId);
  }

  public AuditFilter byActor(Actor.Type type, String id) {
    return new AuditFilter(from, to, type, id, action, targetType, targetId);
  }

  public AuditFilter byAction(String action) {
    return new AuditFilter(from, to, actorType, actorId, action, targetType, targetId);
  }

  public AuditFilter byTarget(String type, String id) {
    return new AuditFilter(from, to, actorType, actorId, action, type, id);
  }
}
