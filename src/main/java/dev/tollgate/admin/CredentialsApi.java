package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.User;
import dev.tollgate.access.local.LocalAccounts;
import dev.tollgate.access.local.TotpConfirmation;
import dev.tollgate.access.local.TotpEnrolment;
import dev.tollgate.access.local.WeakPasswordException;
import dev.tollgate.access.policy.Action;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import dev.tollgate.access.session.Sessions;
import dev.tollgate.server.ApiError;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Local-account credentials: a password (set by the person or an organisation admin), and the person's
 * own TOTP second factor with its recovery codes. Secrets appear only in the answer that creates them.
 */
final class CredentialsApi {
  private final LocalAccounts local;
  private final Directory directory;
  private final Sessions sessions;
  private final Guard guard;
  private final Views views;
  private final AdminAudit audit;

  CredentialsApi(LocalAccounts local, Directory directory, Sessions sessions, Guard guard, Views views,
      AdminAudit audit) {
    this.local = local;
    this.directory = directory;
    this.sessions = sessions;
    this.guard = guard;
    this.views = views;
    this.audit = audit;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.put("/admin/v1/users/:id/password", Action.CREDENTIALS_UPDATE,
            "Set a user's local password (signs out their sessions)", Doc.write("setPassword", "PasswordSet",
                Doc.required("password", Schema.string(1024), "At least 12 characters, not a common password, "
                    + "not containing the email")), this::password),
        AdminRoute.post("/admin/v1/me/totp", Action.CREDENTIALS_UPDATE,
            "Begin enrolling a TOTP second factor (the secret is shown once)", 200,
            Doc.one("beginTotp", "TotpEnrolment"), this::beginTotp),
        AdminRoute.post("/admin/v1/me/totp/confirm", Action.CREDENTIALS_UPDATE,
            "Confirm TOTP enrolment with a code; answers the recovery codes, shown once", 200,
            Doc.write("confirmTotp", "TotpStatus", Doc.required("code", Schema.string(64),
                "The 6-digit code the authenticator app shows")), this::confirmTotp),
        AdminRoute.delete("/admin/v1/me/totp", Action.CREDENTIALS_UPDATE, "Turn off the TOTP second factor",
            Doc.one("disableTotp", "TotpStatus"), this::disableTotp));
  }

  private JsonNode password(AdminCall call) {
    String id = call.path("id");
    User user = directory.user(id).orElseThrow(() -> ApiError.notFound("no user '" + id + "'").exception());
    Set<String> teams = directory.membershipsOfUser(id).stream().map(Membership::teamId).collect(Collectors.toSet());
    guard.require(call, Action.CREDENTIALS_UPDATE, Target.user(user.orgId(), teams, user.id()), Action.USER_READ,
        "user '" + id + "'");
    String password = call.body().string("password", 1024);
    try {
      local.setPassword(user.id(), user.email(), password);
    } catch (WeakPasswordException e) {
      throw ApiError.invalidRequest(e.getMessage(), "password").exception();
    }
    int ended = sessions.endAll(user.id());
    record(call, "user.password_set", user);
    return views.json().createObjectNode().put("object", "password").put("user_id", user.id()).put("set", true)
        .put("sessions_ended", ended);
  }

  private JsonNode beginTotp(AdminCall call) {
    User me = self(call);
    TotpEnrolment enrolment = local.beginTotp(me.id(), me.email());
    ObjectNode out = views.json().createObjectNode().put("object", "totp_enrolment")
        .put("secret", enrolment.secret()).put("otpauth_uri", enrolment.provisioningUri());
    record(call, "user.totp_begin", me);
    return out;
  }

  private JsonNode confirmTotp(AdminCall call) {
    User me = self(call);
    String code = call.body().string("code", 64);
    return switch (local.confirmTotp(me.id(), code)) {
      case TotpConfirmation.Confirmed confirmed -> {
        record(call, "user.totp_enable", me);
        ObjectNode out = views.json().createObjectNode().put("object", "totp").put("enabled", true);
        ArrayNode codes = out.putArray("recovery_codes");
        confirmed.recoveryCodes().forEach(codes::add);
        yield out;
      }
      case TotpConfirmation.InvalidCode invalid -> throw ApiError.invalidRequest(
          "the code does not match; check the authenticator app's clock and try the next code", "code").exception();
      case TotpConfirmation.NoPendingEnrolment none -> throw ApiError.conflict(
          "no enrolment is waiting for confirmation; begin with POST /admin/v1/me/totp").exception();
    };
  }

  private JsonNode disableTotp(AdminCall call) {
    User me = self(call);
    boolean was = local.disableTotp(me.id());
    if (was) {
      record(call, "user.totp_disable", me);
    }
    return views.json().createObjectNode().put("object", "totp").put("enabled", false);
  }

  /** The signed-in person; the master key has no second factor to manage. */
  private User self(AdminCall call) {
    if (!(call.principal() instanceof Principal.Person p)) {
      guard.require(call, Action.CREDENTIALS_UPDATE, Target.global());
      throw ApiError.invalidRequest("the master key is not a person and has no second factor", null).exception();
    }
    guard.require(call, Action.CREDENTIALS_UPDATE, Target.user(p.orgId(), p.teamRoles().keySet(), p.user().id()),
        null, "user");
    return p.user();
  }

  private void record(AdminCall call, String action, User user) {
    audit.record(new AdminAudit.Change(call.principal(), user.orgId(), action, "user", user.id(), null, null, call.requestId(),
        call.sourceIp()));
  }
}
