package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Target;
import dev.tollgate.server.ApiError;
import dev.tollgate.store.Constraints;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.util.List;
import dev.tollgate.admin.Doc.Schema;

/** {@code /admin/v1/organizations}: tenants. Only the master key creates them. */
final class OrganizationsApi {
  private final Directory directory;
  private final Guard guard;
  private final Views views;
  private final AdminAudit audit;
  private final IdGenerator ids;
  private final Clock clock;

  OrganizationsApi(Directory directory, Guard guard, Views views, AdminAudit audit, IdGenerator ids, Clock clock) {
    this.directory = directory;
    this.guard = guard;
    this.views = views;
    this.audit = audit;
    this.ids = ids;
    this.clock = clock;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get("/admin/v1/organizations", Action.ORGANIZATION_READ, "List organizations",
            Doc.list("listOrganizations", "Organization"), this::list),
        AdminRoute.post("/admin/v1/organizations", Action.ORGANIZATION_CREATE, "Create an organization", 201,
            Doc.write("createOrganization", "Organization",
                Doc.required("name", Schema.string(200), "Unique among organizations")), this::create),
        AdminRoute.get("/admin/v1/organizations/:id", Action.ORGANIZATION_READ, "Get an organization",
            Doc.one("getOrganization", "Organization"), this::get));
  }

  private JsonNode list(AdminCall call) {
    return views.list(directory.organizations(guard.scope(call, Action.ORGANIZATION_READ),
        call.page()), views::organization);
  }

  private JsonNode create(AdminCall call) {
    guard.require(call, Action.ORGANIZATION_CREATE, Target.global());
    Body body = call.body();
    String name = body.string("name", 200);
    Organization org = new Organization(ids.next(), name, clock.instant());
    try {
      directory.insert(org);
    } catch (RuntimeException e) {
      if (Constraints.isUniqueViolation(e)) {
        throw ApiError.conflict("an organization named '" + name + "' exists").exception();
      }
      throw e;
    }
    JsonNode view = views.organization(org);
    audit.record(new AdminAudit.Change(call.principal(), org.id(), "organization.create", "organization", org.id(), null,
        view, call.requestId(), call.sourceIp()));
    return view;
  }

  private JsonNode get(AdminCall call) {
    String id = call.path("id");
    Organization org = directory.organization(id).orElseThrow(() -> notFound(id));
    guard.require(call, Action.ORGANIZATION_READ, Target.organisation(org.id()), null, "organization '" + id + "'");
    return views.organization(org);
  }

  private static RuntimeException notFound(String id) {
    return ApiError.notFound("no organization '" + id + "'").exception();
  }
}
