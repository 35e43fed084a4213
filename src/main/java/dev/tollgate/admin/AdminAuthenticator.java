package dev.tollgate.admin;

import dev.tollgate.access.ApiKey;
import dev.tollgate.access.Authenticator;
import dev.tollgate.access.KeySecrets;
import dev.tollgate.access.KeyStore;
import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.User;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.Credentials;
import dev.tollgate.access.session.Session;
import dev.tollgate.access.session.Sessions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who is calling the admin API: the master key, a person through a virtual key that acts for them, or
 * a person signed in to the console (session cookie).
 * Reads the database directly (admin calls run on virtual threads and must see a revocation or a
 * role change at once, not after a cache refresh). Service account keys administer nothing.
 */
public final class AdminAuthenticator {
  /** The header a session's state-changing request echoes its CSRF token in. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Set<HttpMethod> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final Authenticator authenticator;
  private final KeyStore keys;
  private final Directory directory;
  private final Sessions sessions;

  public AdminAuthenticator(Authenticator authenticator, KeyStore keys, Directory directory, Sessions sessions) {
    this.authenticator = authenticator;
    this.keys = keys;
    this.directory = directory;
    this.sessions = sessions;
  }

  /**
   * The principal, or a {@code GatewayException} (401 / 403). A key in the headers wins over a session
   * cookie; a session's state-changing request must echo its CSRF token. Blocks.
   */
  public Principal authenticate(HttpServerRequest request) {
    String presented = Credentials.presented(request);
    if (presented == null || presented.isBlank()) {
      return fromSession(request);
    }
    if (authenticator.isMaster(presented)) {
      return new Principal.Master();
    }
    String digest = KeySecrets.digest(presented);
    ApiKey key = authenticator.usable(digest, keys.findByHash(digest));
    if (key.serviceAccount()) {
      throw ApiError.forbidden("service account keys cannot use the admin API; use a person's key or sign in")
          .exception();
    }
    return person(key.userId().get(), Principal.Via.KEY, Optional.of(key.id()));
  }

  private Principal fromSession(HttpServerRequest request) {
    io.vertx.core.http.Cookie cookie = request.getCookie(Sessions.COOKIE);
    if (cookie == null) {
      throw ApiError.missingKey().exception();
    }
    Session session = sessions.resolve(cookie.getValue()).orElseThrow(() ->
        new ApiError(401, "authentication_error", "session_expired", "the session has ended; sign in again")
            .exception());
    if (!SAFE_METHODS.contains(request.method())) {
      String echoed = request.getHeader(CSRF_HEADER);
      if (echoed == null || !MessageDigest.isEqual(echoed.getBytes(StandardCharsets.UTF_8),
          session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
        throw new ApiError(403, "permission_error", "csrf_failed", "a state-changing request with a session must "
            + "carry the session's CSRF token in " + CSRF_HEADER).exception();
      }
    }
    return person(session.userId(), Principal.Via.SESSION, Optional.of(session.idHash().substring(0, 12)));
  }

  /** The person with this user id as they are now, or 401 when they no longer exist or are disabled. */
  public Principal.Person person(String userId, Principal.Via via, Optional<String> credentialId) {
    User user = directory.user(userId).orElseThrow(() -> ApiError.invalidKey().exception());
    if (user.disabled()) {
      throw new ApiError(401, "authentication_error", "user_disabled", "the user is disabled").exception();
    }
    Map<String, Role> teams = new LinkedHashMap<>();
    for (Membership m : directory.membershipsOfUser(userId)) {
      teams.put(m.teamId(), m.role());
    }
    return new Principal.Person(user, teams, via, credentialId);
  }
}
