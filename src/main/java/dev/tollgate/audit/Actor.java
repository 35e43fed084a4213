package dev.tollgate.audit;

import java.util.Locale;

/**
 * Who did it: a signed-in user, the master key, a virtual key, the gateway itself, or someone not (yet)
 * authenticated such as a failed sign-in.
 *
 * @param id the user's or key's id; {@code master} for the master key; the component for {@code system};
 *     null for {@code anonymous}
 * @param display a human-readable name at the time of the event (e-mail, key name); may be null. Longer
 *     than {@value #MAX_DISPLAY} characters is cut, because failed sign-ins put attacker-chosen text here
 */
public record Actor(Type type, String id, String display) {
  /** Longest display name kept. */
  public static final int MAX_DISPLAY = 200;

  /** The kinds of actor; {@link #wireName()} is what the log stores and the API shows. */
  public enum Type {
    USER, MASTER, KEY, SYSTEM, ANONYMOUS;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a stored wire name; throws {@link IllegalArgumentException} for any other text. */
    public static Type fromWire(String wire) {
      for (Type t : values()) {
        if (t.wireName().equals(wire)) {
          return t;
        }
      }
      throw new IllegalArgumentException("actor type: '" + wire + "' (expected: user, master, key, system, anonymous)");
    }
  }

  public Actor {
    if (type == null) {
      throw new IllegalArgumentException("actor type: null (expected: user, master, key, system, anonymous)");
    }
    if ((type == Type.USER || type == Type.KEY) && (id == null || id.isBlank())) {
      throw new IllegalArgumentException("actor id: blank (expected: the " + type.wireName() + "'s id)");
    }
    AuditEvent.checkLength("actor id", id, AuditEvent.MAX_ID);
    if (display != null && display.length() > MAX_DISPLAY) {
      display = display.substring(0, MAX_DISPLAY - 1) + "…";
    }
  }

  public static Actor user(String userId, String display) {
    return new Actor(Type.USER, userId, display);
  }

  public static Actor master() {
    return new Actor(Type.MASTER, "master", "master key");
  }

  public static Actor key(String keyId, String keyName) {
    return new Actor(Type.KEY, keyId, keyName);
  }

  /** The gateway acting on its own, e.g. {@code system("oidc-sync")}. */
  public static Actor system(String component) {
    return new Actor(Type.SYSTEM, component, null);
  }

  /** Someone not authenticated; {@code claimed} is who they claimed to be (a login name), or null. */
  public static Actor anonymous(String claimed) {
    return new Actor(Type.ANONYMOUS, null, claimed);
  }
}
