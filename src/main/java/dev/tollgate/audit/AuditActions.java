package dev.tollgate.audit;

/**
 * The action names the issue requires, so every caller spells them alike. Admin mutations not listed
 * here use {@code <object>.<verb>} in the same style ({@code team.create}, {@code membership.delete}).
 */
public final class AuditActions {
  public static final String SIGNIN_SUCCESS = "signin.success";
  public static final String SIGNIN_FAILURE = "signin.failure";
  public static final String SIGNOUT = "signout";
  public static final String KEY_CREATE = "key.create";
  public static final String KEY_ROTATE = "key.rotate";
  public static final String KEY_REVOKE = "key.revoke";
  public static final String SECRET_CHANGE = "secret.change";
  public static final String ROLE_CHANGE = "role.change";

  private AuditActions() {}
}
