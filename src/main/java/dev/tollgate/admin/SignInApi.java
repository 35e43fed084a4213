package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.directory.User;
import dev.tollgate.access.local.LocalAccounts;
import dev.tollgate.access.local.LoginResult;
import dev.tollgate.access.oidc.OidcSignIn;
import dev.tollgate.access.oidc.SignInFailure;
import dev.tollgate.access.oidc.SignInOutcome;
import dev.tollgate.access.oidc.SignInStart;
import dev.tollgate.access.session.Sessions;
import dev.tollgate.access.signin.UserProvisioner;
import dev.tollgate.audit.Actor;
import dev.tollgate.audit.AuditEvent;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.Target;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.Async;
import dev.tollgate.server.ErrorResponder;
import dev.tollgate.server.RequestIds;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Signing in to the admin API and console: {@code POST /auth/login} (a local account's password and,
 * when enrolled, a TOTP or recovery code), {@code GET /auth/oidc/start} and {@code /auth/oidc/callback}
 * (single sign-on), {@code POST /auth/logout}. Success starts a server-side session in a
 * {@code HttpOnly}, {@code SameSite=Lax} cookie; every attempt, good or bad, is in the audit log.
 */
public final class SignInApi {
  private final Directory directory;
  private final LocalAccounts local;
  private final Sessions sessions;
  private final Optional<OidcSignIn> oidc;
  private final UserProvisioner provisioner;
  private final AuditLog audit;
  private final Async async;
  private final ObjectMapper json;
  private final Views views;
  private final Clock clock;

  public SignInApi(Directory directory, LocalAccounts local, Sessions sessions, Optional<OidcSignIn> oidc,
      UserProvisioner provisioner, AuditLog audit, Async async, ObjectMapper json, Clock clock) {
    this.directory = directory;
    this.local = local;
    this.sessions = sessions;
    this.oidc = oidc;
    this.provisioner = provisioner;
    this.audit = audit;
    this.async = async;
    this.json = json;
    this.views = new Views(json, clock);
    this.clock = clock;
  }

  public void mount(Router router, Handler<RoutingContext> jsonOnly, Handler<RoutingContext> body) {
    router.post("/auth/login").handler(jsonOnly);
    router.post("/auth/login").handler(body).handler(ctx -> blocking(ctx, () -> login(ctx)));
    router.post("/auth/logout").handler(ctx -> blocking(ctx, () -> logout(ctx)));
    router.get("/auth/oidc/start").handler(ctx -> blocking(ctx, () -> start(ctx)));
    router.get("/auth/oidc/callback").handler(ctx -> blocking(ctx, () -> callback(ctx)));
  }

  private void blocking(RoutingContext ctx, Callable<Object> work) {
    async.blocking(ctx.vertx().getOrCreateContext(), work).onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, ar.cause()));
      } else if (ar.result() instanceof JsonNode answer && !ctx.response().ended()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(answer.toString());
      }
    });
  }

  private Object login(RoutingContext ctx) {
    Body body = Body.parse(ctx.body().buffer(), json, Set.of("email", "password", "code"));
    String login = body.string("email", 320).toLowerCase(Locale.ROOT);
    String password = body.string("password", 1024);
    String code = body.optionalString("code", 64).orElse(null);
    Optional<User> user = directory.userByEmail(login);
    // The password is checked whether or not the account exists or is disabled: same work, same answer.
    LoginResult result = local.authenticate(login, user.map(User::id).orElse(null), password, code);
    if (result instanceof LoginResult.Success success && user.isPresent() && !user.get().disabled()) {
      Sessions.Started started = sessions.start(success.userId(), "password", sourceIp(ctx), ctx.request()
          .getHeader(HttpHeaders.USER_AGENT));
      record(ctx, Actor.user(user.get().id(), user.get().email()), "signin.success", user.get(),
          json.createObjectNode().put("method", "password").put("second_factor",
              success.factor().name().toLowerCase(Locale.ROOT)));
      ctx.response().putHeader(HttpHeaders.SET_COOKIE, sessions.cookie(started));
      return session(user.get(), started);
    }
    String reason = switch (result) {
      case LoginResult.Success s -> "disabled";
      case LoginResult.NeedsSecondFactor n -> "second_factor_required";
      case LoginResult.InvalidCredentials i -> "invalid_credentials";
      case LoginResult.Locked l -> "locked";
    };
    record(ctx, Actor.anonymous(login), "signin.failure", null,
        json.createObjectNode().put("method", "password").put("reason", reason));
    throw switch (result) {
      case LoginResult.NeedsSecondFactor n -> new ApiError(401, "authentication_error", "second_factor_required",
          "enter the code from your authenticator app (or a recovery code) as 'code'").exception();
      case LoginResult.Locked l -> new ApiError(429, "rate_limit_error", "account_locked",
          "too many failed sign-ins; try again later").withRetryAfter(Math.max(1,
              Duration.between(clock.instant(), l.until()).toSeconds() + 1)).exception();
      default -> new ApiError(401, "authentication_error", "invalid_credentials",
          "the email, password or code is not right").exception();
    };
  }

  private Object logout(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    if (cookie != null) {
      // Signing out changes state too: another site must not be able to do it for the browser.
      sessions.resolve(cookie.getValue()).ifPresent(session -> {
        String echoed = ctx.request().getHeader(AdminAuthenticator.CSRF_HEADER);
        if (echoed == null || !java.security.MessageDigest.isEqual(echoed.getBytes(StandardCharsets.UTF_8),
            session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
          throw new ApiError(403, "permission_error", "csrf_failed", "signing out needs the session's CSRF token in "
              + AdminAuthenticator.CSRF_HEADER).exception();
        }
      });
      sessions.end(cookie.getValue());
    }
    ctx.response().putHeader(HttpHeaders.SET_COOKIE, sessions.clearingCookie());
    return json.createObjectNode().put("object", "session").put("signed_out", true);
  }

  private Object start(RoutingContext ctx) {
    OidcSignIn signIn = oidc.orElseThrow(() -> ApiError.notFound("single sign-on is not configured").exception());
    String returnTo = Optional.ofNullable(ctx.request().getParam("return_to")).orElse("/");
    return switch (signIn.begin(returnTo)) {
      case SignInStart.Redirect r -> {
        ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, r.authorizationUrl().toString())
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end();
        yield null;
      }
      case SignInStart.Refused refused -> throw refusal(ctx, refused.failure());
    };
  }

  private Object callback(RoutingContext ctx) {
    OidcSignIn signIn = oidc.orElseThrow(() -> ApiError.notFound("single sign-on is not configured").exception());
    String state = ctx.request().getParam("state");
    String error = ctx.request().getParam("error");
    SignInOutcome outcome = error != null ? signIn.fail(state, error)
        : signIn.complete(ctx.request().getParam("code"), state);
    return switch (outcome) {
      case SignInOutcome.SignedIn in -> {
        UserProvisioner.Provisioned p = provisioner.apply(in.identity());
        User user = p.user();
        if (user.disabled()) {
          record(ctx, Actor.user(user.id(), user.email()), "signin.failure", user,
              json.createObjectNode().put("method", "oidc").put("reason", "disabled"));
          throw new ApiError(401, "authentication_error", "user_disabled", "the user is disabled").exception();
        }
        Sessions.Started started = sessions.start(user.id(), "oidc", sourceIp(ctx),
            ctx.request().getHeader(HttpHeaders.USER_AGENT));
        ObjectNode detail = json.createObjectNode().put("method", "oidc").put("provisioned", p.created());
        detail.set("groups", json.valueToTree(in.identity().groups()));
        record(ctx, Actor.user(user.id(), user.email()), "signin.success", user, detail);
        if (p.before().isPresent() && p.before().get().role() != user.role()) {
          audit.append(AuditEvent.of(Actor.system("sso"), "role.change", Target.of("user", user.id()))
              .withOrg(user.orgId())
              .withChange(views.user(p.before().get()), views.user(user))
              .withRequest(RequestIds.of(ctx), sourceIp(ctx)));
        }
        if (!p.membershipsBefore().equals(p.membershipsAfter())) {
          audit.append(AuditEvent.of(Actor.system("sso"), "membership.sync", Target.of("user", user.id()))
              .withOrg(user.orgId())
              .withChange(memberships(p.membershipsBefore()), memberships(p.membershipsAfter()))
              .withRequest(RequestIds.of(ctx), sourceIp(ctx)));
        }
        ctx.response().setStatusCode(302).putHeader(HttpHeaders.SET_COOKIE, sessions.cookie(started))
            .putHeader(HttpHeaders.LOCATION, in.returnTo()).putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end();
        yield null;
      }
      case SignInOutcome.Refused refused -> throw refusal(ctx, refused.failure());
    };
  }

  private JsonNode memberships(Set<dev.tollgate.access.directory.Membership> ms) {
    com.fasterxml.jackson.databind.node.ArrayNode out = json.createArrayNode();
    ms.stream().sorted(java.util.Comparator.comparing(dev.tollgate.access.directory.Membership::teamId))
        .forEach(m -> out.addObject().put("team_id", m.teamId()).put("role", m.role().wire()));
    return out;
  }

  private RuntimeException refusal(RoutingContext ctx, SignInFailure failure) {
    ObjectNode detail = json.createObjectNode().put("method", "oidc")
        .put("reason", failure.reason().name().toLowerCase(Locale.ROOT)).put("detail", failure.detail());
    failure.token().ifPresent(t -> detail.put("token", t.name().toLowerCase(Locale.ROOT)));
    record(ctx, Actor.anonymous(null), "signin.failure", null, detail);
    return new ApiError(401, "authentication_error", "sign_in_refused",
        "single sign-on was refused: " + failure.detail()).exception();
  }

  private ObjectNode session(User user, Sessions.Started started) {
    ObjectNode out = json.createObjectNode().put("object", "session");
    out.set("user", views.user(user));
    out.put("csrf_token", started.session().csrfToken());
    out.put("expires_at", Views.time(started.session().expiresAt()));
    return out;
  }

  private void record(RoutingContext ctx, Actor actor, String action, User target, JsonNode detail) {
    audit.append(AuditEvent.of(actor, action, target == null ? null : Target.of("user", target.id()))
        // A failure for nobody known is the operators' business: their organisation's auditors see it.
        .withOrg(target == null ? Organization.DEFAULT_ID : target.orgId())
        .withChange(null, detail).withRequest(RequestIds.of(ctx), sourceIp(ctx)));
  }

  private static String sourceIp(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }
}
