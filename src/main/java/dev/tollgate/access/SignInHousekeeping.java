package dev.tollgate.access;

import dev.tollgate.access.local.LocalAccounts;
import dev.tollgate.access.oidc.PendingLoginStore;
import dev.tollgate.access.session.Sessions;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes sign-in state nobody needs any more: ended sessions, old failure counts (anyone can add one
 * by typing a made-up name, so left alone they would grow without bound) and abandoned single sign-on
 * attempts. Run periodically off the event loop; blocks on the database.
 */
public final class SignInHousekeeping implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SignInHousekeeping.class);

  private final Sessions sessions;
  private final LocalAccounts local;
  private final PendingLoginStore pending;
  private final Clock clock;

  public SignInHousekeeping(Sessions sessions, LocalAccounts local, PendingLoginStore pending, Clock clock) {
    this.sessions = sessions;
    this.local = local;
    this.pending = pending;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      int ended = sessions.purge();
      int throttles = local.purgeThrottle();
      int logins = pending.purgeExpired(clock.instant());
      if (ended + throttles + logins > 0) {
        log.info("sign-in housekeeping: {} ended session(s), {} stale failure count(s), {} abandoned sign-on(s) "
            + "deleted", ended, throttles, logins);
      }
    } catch (RuntimeException e) {
      // The next round tries again; nothing waits on this.
      log.warn("sign-in housekeeping failed: {}", e.getMessage());
    }
  }
}
