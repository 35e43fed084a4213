package dev.tollgate.admin;

import dev.tollgate.access.policy.Principal;
import dev.tollgate.audit.Actor;
import dev.tollgate.audit.AuditEvent;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.Target;

/** Admin changes into the hash-chained audit log, the actor as the policy knew them. */
public final class ChainedAudit implements AdminAudit {
  private final AuditLog log;

  public ChainedAudit(AuditLog log) {
    this.log = log;
  }

  @Override
  public void record(Change change) {
    Actor actor = switch (change.actor()) {
      case Principal.Master m -> Actor.master();
      case Principal.Person p -> Actor.user(p.user().id(), p.user().email());
    };
    log.append(AuditEvent.of(actor, change.action(), Target.of(change.targetType(), change.targetId()))
        .withOrg(change.orgId())
        .withChange(change.before(), change.after())
        .withRequest(change.requestId(), change.sourceIp()));
  }
}
