package dev.tollgate.access.policy;

/** Everything the admin API can do, each decided by {@link Policy}. */
public enum Action {
  ORGANIZATION_CREATE(false),
  ORGANIZATION_READ(true),
  ORGANIZATION_UPDATE(false),
  TEAM_CREATE(false),
  TEAM_READ(true),
  TEAM_UPDATE(false),
  TEAM_DELETE(false),
  USER_CREATE(false),
  USER_READ(true),
  /** Name, organisation role, disabling: an organisation admin's business. */
  USER_UPDATE(false),
  /** A person's password and second factor: their own, or anyone's for an organisation admin. */
  CREDENTIALS_UPDATE(false),
  MEMBERSHIP_READ(true),
  MEMBERSHIP_WRITE(false),
  KEY_CREATE(false),
  KEY_READ(true),
  /** Rotating and revoking. */
  KEY_UPDATE(false),
  USAGE_READ(true),
  /** A budget and its status: the spend of its entity, so read like that entity's usage. */
  BUDGET_READ(true),
  /** Defining, changing and deleting budgets: an organisation admin's business. */
  BUDGET_WRITE(false),
  AUDIT_READ(true),
  SECRET_READ(true),
  SECRET_WRITE(false),
  PROVIDER_HEALTH_READ(true),
  /** Who am I: every signed-in person. */
  SELF_READ(true);

  private final boolean readOnly;

  Action(boolean readOnly) {
    this.readOnly = readOnly;
  }

  public boolean readOnly() {
    return readOnly;
  }
}
