package dev.tollgate.access.session;

import dev.tollgate.access.KeySecrets;
import dev.tollgate.config.SessionConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Server-side sessions behind an opaque cookie: 256 random bits, stored only as a digest, ending after
 * an idle time or an absolute time, whichever comes first, or when revoked. Blocks on the store: call
 * from a virtual thread. Thread-safe.
 */
public final class Sessions {
  public static final String COOKIE = "tollgate_session";
  /** Activity is written at most this often, so a busy console does not write on every request. */
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final SessionStore store;
  private final SessionConfig config;
  private final SecureRandom random;
  private final Clock clock;

  public Sessions(SessionStore store, SessionConfig config, SecureRandom random, Clock clock) {
    this.store = store;
    this.config = config;
    this.random = random;
    this.clock = clock;
  }

  /** A new session and the cookie value that opens it, which exists nowhere else. */
  public record Started(Session session, String cookieValue) {
    @Override
    public String toString() {
      return "Started[" + session + "]";
    }
  }

  public Started start(String userId, String method, String sourceIp, String userAgent) {
    String value = token();
    Instant now = clock.instant();
    Session session = new Session(KeySecrets.digest(value), userId, token(), method, now, now,
        now.plus(config.absoluteTimeout()));
    store.insert(session, sourceIp, userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length())));
    return new Started(session, value);
  }

  /** The live session a cookie value opens; empty when unknown, revoked, idle too long or past its end. */
  public Optional<Session> resolve(String cookieValue) {
    if (cookieValue == null || cookieValue.isBlank() || cookieValue.length() > 100) {
      return Optional.empty();
    }
    Optional<Session> found = store.find(KeySecrets.digest(cookieValue));
    Instant now = clock.instant();
    if (found.isEmpty() || !now.isBefore(found.get().expiresAt())
        || !now.isBefore(found.get().lastSeenAt().plus(config.idleTimeout()))) {
      return Optional.empty();
    }
    Session s = found.get();
    if (!now.isBefore(s.lastSeenAt().plus(TOUCH_EVERY))) {
      store.touch(s.idHash(), now);
    }
    return found;
  }

  /** Ends the session a cookie value opens; false when it was not live. */
  public boolean end(String cookieValue) {
    return cookieValue != null && store.revoke(KeySecrets.digest(cookieValue), clock.instant());
  }

  /** Forgets sessions that ended over a day ago (the audit log keeps who signed in); returns how many. */
  public int purge() {
    return store.purgeEnded(clock.instant().minus(Duration.ofDays(1)));
  }

  /** Ends every session of a user. */
  public int endAll(String userId) {
    return store.revokeAll(userId, clock.instant());
  }

  /** The {@code Set-Cookie} value that hands the session to the browser. */
  public String cookie(Started started) {
    long maxAge = Duration.between(clock.instant(), started.session().expiresAt()).toSeconds();
    return COOKIE + "=" + started.cookieValue() + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + maxAge
        + (config.secureCookie() ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} value that removes the cookie. */
  public String clearingCookie() {
    return COOKIE + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + (config.secureCookie() ? "; Secure" : "");
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
