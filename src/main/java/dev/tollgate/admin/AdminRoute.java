package dev.tollgate.admin;

import dev.tollgate.access.policy.Action;
import io.vertx.core.http.HttpMethod;
import java.util.Objects;
import java.util.Set;

/**
 * One admin operation: where it lives, the action {@link dev.tollgate.access.policy.Policy} decides for
 * it, what it does, and how the OpenAPI document describes it. A route cannot exist without an action,
 * so none escapes the policy; nor without a {@link Doc}, so none escapes the document.
 *
 * @param path a Vert.x path with {@code :param} segments, under {@code /admin/v1}
 * @param body the JSON fields the operation accepts (empty: no body); always the names of {@code doc}'s body fields
 * @param status the status of a successful answer
 */
public record AdminRoute(HttpMethod method, String path, Action action, String summary, Set<String> body,
    int status, Doc doc, Operation operation) {

  /** The work of a route, on a virtual thread: returns the JSON answer, or null when it wrote the response. */
  @FunctionalInterface
  public interface Operation {
    Object run(AdminCall call) throws Exception;
  }

  public AdminRoute {
    Objects.requireNonNull(action, "every admin route needs a policy action");
    Objects.requireNonNull(doc, "every admin route needs its documentation");
    body = Set.copyOf(body);
    // The fields Body accepts and the fields the document shows are one list, or a client would be told wrong.
    if (!body.equals(doc.bodyFields())) {
      throw new IllegalArgumentException("admin route " + method + " " + path + " accepts " + body
          + " but documents " + doc.bodyFields());
    }
  }

  static AdminRoute get(String path, Action action, String summary, Doc doc, Operation op) {
    return new AdminRoute(HttpMethod.GET, path, action, summary, Set.of(), 200, doc, op);
  }

  static AdminRoute post(String path, Action action, String summary, int status, Doc doc, Operation op) {
    return new AdminRoute(HttpMethod.POST, path, action, summary, doc.bodyFields(), status, doc, op);
  }

  static AdminRoute patch(String path, Action action, String summary, Doc doc, Operation op) {
    return new AdminRoute(HttpMethod.PATCH, path, action, summary, doc.bodyFields(), 200, doc, op);
  }

  static AdminRoute put(String path, Action action, String summary, Doc doc, Operation op) {
    return new AdminRoute(HttpMethod.PUT, path, action, summary, doc.bodyFields(), 200, doc, op);
  }

  static AdminRoute delete(String path, Action action, String summary, Doc doc, Operation op) {
    return new AdminRoute(HttpMethod.DELETE, path, action, summary, Set.of(), 200, doc, op);
  }

  /** The path in OpenAPI's form: {@code /admin/v1/keys/{id}}. */
  public String openApiPath() {
    return path.replaceAll(":([A-Za-z_]+)", "{$1}");
  }
}
