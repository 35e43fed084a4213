package dev.tollgate.access;

import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.jwt.JwtCaller;
import dev.tollgate.access.jwt.JwtCallerVerifier;
import dev.tollgate.access.jwt.JwtOutcome;
import dev.tollgate.access.jwt.JwtSettings;
import dev.tollgate.access.jwt.TokenRefusal;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.GatewayException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Data-plane callers that present a JWT from a trusted issuer ({@code auth.jwt}) instead of a virtual
 * key: verifies the token, then bills the team it names and attributes the call to the user it names.
 *
 * <p>A JWT caller must name an existing team (budgets and usage are per team; the token's team claim
 * holds a team id, or a name that exactly one team has); the user is attached when the user claim names
 * an existing user, and a disabled user is refused. Refusals are 401s whose message names the reason,
 * never the token; a check that cannot be made (the issuer's keys or the directory unreachable with
 * nothing cached) is a 503.
 *
 * <p>Safe on an event loop: when the issuer's keys, the teams and the user are cached the future is
 * already complete; otherwise it completes on a {@code blocking} thread and the caller bridges back
 * ({@code Async.on}). Thread-safe.
 */
public final class JwtCallers {
  /** How often the team list and known users are re-read, in the background. */
  public static final Duration REFRESH = Duration.ofSeconds(30);
  /** The least time between two reloads of the team list caused by a team it lacks. */
  public static final Duration MIN_RELOAD = Duration.ofSeconds(5);
  private static final long MAX_USERS = 100_000;

  private final JwtCallerVerifier verifier;
  private final KnownTeams teams;
  private final KnownUsers users;

  public JwtCallers(JwtCallerVerifier verifier, KnownTeams teams, KnownUsers users) {
    this.verifier = verifier;
    this.teams = teams;
    this.users = users;
  }

  /** Everything JWT callers need, with production refresh intervals. */
  public static JwtCallers of(JwtSettings settings, Directory directory, Executor blocking, Clock clock) {
    return new JwtCallers(new JwtCallerVerifier(settings, blocking, clock),
        new KnownTeams(directory, blocking, clock, REFRESH, MIN_RELOAD),
        new KnownUsers(directory, blocking, clock, REFRESH, MIN_RELOAD, MAX_USERS));
  }

  /** Completes with the caller, or exceptionally with a {@link GatewayException} (401, or 503). */
  public CompletableFuture<Caller> authenticate(String token) {
    return verifier.verify(token).thenCompose(outcome -> switch (outcome) {
      case JwtOutcome.Refused(TokenRefusal refusal) -> CompletableFuture.failedFuture(refused(refusal));
      case JwtOutcome.Accepted(JwtCaller caller) -> toCaller(caller);
    });
  }

  private CompletableFuture<Caller> toCaller(JwtCaller caller) {
    if (caller.team().isEmpty()) {
      return CompletableFuture.failedFuture(refused("no team", "the token names no team (issuer " + caller.issuer()
          + " needs claims.team in auth.jwt, and the token that claim)"));
    }
    String team = caller.team().get();
    CompletableFuture<String> teamId = teams.resolve(team).handle((resolution, failure) -> {
      if (failure != null) {
        throw ApiError.overloaded("JWT callers cannot be verified right now (teams cannot be read)").exception();
      }
      return switch (resolution) {
        case KnownTeams.Resolution.Found(String id) -> id;
        case KnownTeams.Resolution.Unknown() -> throw refused("unknown team", "no team has the id or name '" + team + "'");
        case KnownTeams.Resolution.Ambiguous(var ids) -> throw refused("ambiguous team",
            ids.size() + " teams are named '" + team + "'; name the team by its id");
      };
    });
    CompletableFuture<Optional<KnownUsers.Found>> user = users.find(caller.issuer(), caller.user())
        .handle((found, failure) -> {
          if (failure != null) {
            throw ApiError.overloaded("JWT callers cannot be verified right now (users cannot be read)").exception();
          }
          if (found.isPresent() && found.get().disabled()) {
            throw new ApiError(401, "authentication_error", "user_disabled", "the user is disabled").exception();
          }
          return found;
        });
    return teamId.thenCombine(user, (id, found) -> new Caller(
        "jwt:" + caller.issuer() + ":" + caller.subject(),
        caller.email().orElse(caller.subject()),
        id,
        found.map(KnownUsers.Found::userId),
        caller.models(),
        false))
        // Both lookups fail with a GatewayException; thenCombine wraps it, callers expect it bare.
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(unwrap(failure)));
  }

  private static GatewayException refused(TokenRefusal refusal) {
    if (refusal.reason() == TokenRefusal.Reason.KEYS_UNAVAILABLE) {
      return ApiError.overloaded("JWT callers cannot be verified right now: " + refusal.detail()).exception();
    }
    return refused(refusal.reason().name().toLowerCase(Locale.ROOT).replace('_', ' '), refusal.detail());
  }

  private static GatewayException refused(String reason, String detail) {
    return new ApiError(401, "authentication_error", "invalid_api_key",
        "the JWT was refused (" + reason + "): " + detail).exception();
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
