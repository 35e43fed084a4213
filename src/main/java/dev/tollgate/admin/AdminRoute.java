package dev.tollgate.admin;

import dev.tollgate.access.policy.Action;
import io.vertx.core.http.HttpMethod;
import java.util.Objects;
import java.util.Set;

/**
 * One admin operation: where it lives, the action {@link dev.tollgate.access.policy.Policy} decides for
 * it, and what it does. A route cannot exist without an action, so none escapes the policy.
 *
 * @param path a Vert.x path with {@code :param} segments, under {@code /admin/v1}
 * @param body the JSON fields the operation accepts (empty: no body)
 * @param status the status of a successful answer
 */
public record AdminRoute(HttpMethod method, String path, Action action, String summary, Set<String> body,
    int status, Operation operation) {

  /** The work of a route, on a virtual thread: returns the JSON answer, or null when it wrote the response. */
  @FunctionalInterface
  public interface Operation {
    Object run(AdminCall call) throws Exception;
  }

  public AdminRoute {
    Objects.requireNonNull(action, "every admin route needs a policy action");
    body = Set.copyOf(body);
  }

  static AdminRoute get(String path, Action action, String summary, Operation op) {
    return new AdminRoute(HttpMethod.GET, path, action, summary, Set.of(), 200, op);
  }

  static AdminRoute post(String path, Action action, String summary, int status, Set<String> body, Operation op) {
    return new AdminRoute(HttpMethod.POST, path, action, summary, body, status, op);
  }

  static AdminRoute patch(String path, Action action, String summary, Set<String> body, Operation op) {
    return new AdminRoute(HttpMethod.PATCH, path, action, summary, body, 200, op);
  }

  static AdminRoute put(String path, Action action, String summary, Set<String> body, Operation op) {
    return new AdminRoute(HttpMethod.PUT, path, action, summary, body, 200, op);
  }

  static AdminRoute delete(String path, Action action, String summary, Operation op) {
    return new AdminRoute(HttpMethod.DELETE, path, action, summary, Set.of(), 200, op);
  }

  /** The path in OpenAPI's form: {@code /admin/v1/keys/{id}}. */
  public String openApiPath() {
    return path.replaceAll(":([A-Za-z_]+)", "{$1}");
  }
}
