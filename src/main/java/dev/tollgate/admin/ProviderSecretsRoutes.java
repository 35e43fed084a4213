package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Target;
import dev.tollgate.access.secrets.ProviderSecretsApi;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;

/**
 * {@code /admin/v1/providers/secrets} and {@code /admin/v1/providers/:provider/secrets/:field}: provider
 * credentials stored encrypted. Values go in and never come out; answers carry metadata (key id,
 * fingerprint, who and when). Gateway-wide, so only the operators (the master key and the default
 * organisation's admins) may touch them. A value applies at each node's next start.
 */
final class ProviderSecretsRoutes {
  private final Optional<ProviderSecretsApi> api;
  private final Guard guard;
  private final AdminAudit audit;

  ProviderSecretsRoutes(Optional<ProviderSecretsApi> api, Guard guard, AdminAudit audit) {
    this.api = api;
    this.guard = guard;
    this.audit = audit;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get("/admin/v1/providers/secrets", Action.SECRET_READ,
            "Stored provider credentials: metadata only, never values", Doc.unpaged("listProviderSecrets",
                "ProviderSecret"), this::list),
        AdminRoute.put("/admin/v1/providers/:provider/secrets/:field", Action.SECRET_WRITE,
            "Store a provider credential, encrypted (applies at each node's next start)",
            Doc.write("setProviderSecret", "ProviderSecret", Doc.required("value", Schema.string(16 * 1024),
                "The credential; never shown again")), this::put),
        AdminRoute.delete("/admin/v1/providers/:provider/secrets/:field", Action.SECRET_WRITE,
            "Delete a stored provider credential", Doc.one("deleteProviderSecret", "ProviderSecret"), this::delete));
  }

  private JsonNode list(AdminCall call) {
    guard.require(call, Action.SECRET_READ, Target.global());
    return ((ObjectNode) enabled().list().deepCopy()).put("has_more", false).putNull("next_cursor");
  }

  private JsonNode put(AdminCall call) {
    guard.require(call, Action.SECRET_WRITE, Target.global());
    Buffer raw = call.context().body().buffer();
    ProviderSecretsApi.Outcome outcome = enabled().put(call.path("provider"), call.path("field"),
        raw == null ? new byte[0] : raw.getBytes(), call.principal().actorId());
    record(call, outcome);
    return ((ObjectNode) outcome.body().deepCopy()).put("applies", "at each node's next start");
  }

  private JsonNode delete(AdminCall call) {
    guard.require(call, Action.SECRET_WRITE, Target.global());
    ProviderSecretsApi.Outcome outcome = enabled().delete(call.path("provider"), call.path("field"),
        call.principal().actorId());
    record(call, outcome);
    return outcome.body();
  }

  private void record(AdminCall call, ProviderSecretsApi.Outcome outcome) {
    ProviderSecretsApi.Audit a = outcome.audit();
    // Gateway-wide, run by the operators: their organisation's auditors see it.
    audit.record(new AdminAudit.Change(call.principal(), Organization.DEFAULT_ID, a.action(), "provider_secret", a.target(),
        a.before().orElse(null), a.after().orElse(null), call.requestId(), call.sourceIp()));
  }

  private ProviderSecretsApi enabled() {
    return api.orElseThrow(() -> new ApiError(503, "server_error", "encryption_key_missing",
        "provider credentials are stored encrypted: set TOLLGATE_ENCRYPTION_KEY (secrets.encryption_key) first")
        .exception());
  }
}
