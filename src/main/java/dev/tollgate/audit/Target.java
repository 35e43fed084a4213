package dev.tollgate.audit;

import java.util.regex.Pattern;

/**
 * What an action was done to, e.g. {@code (key, 0197...)}, {@code (user, 0197...)}, {@code (team, ...)}.
 *
 * @param type lower-case letters, digits and underscores
 * @param id the object's id; null when there is none (a failed sign-in for an unknown login name)
 */
public record Target(String type, String id) {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public Target {
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("target type: '" + type + "' (expected: [a-z][a-z0-9_]{0,63})");
    }
    AuditEvent.checkLength("target id", id, AuditEvent.MAX_ID);
  }

  public static Target of(String type, String id) {
    return new Target(type, id);
  }
}
