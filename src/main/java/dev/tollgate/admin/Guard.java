package dev.tollgate.admin;

import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Policy;
import dev.tollgate.access.policy.Target;
import dev.tollgate.server.ApiError;

/**
 * Asks the policy and turns a refusal into the right answer: 403 when the caller may see the target
 * but not do this to it, 404 when they may not even see it, so ids cannot be probed.
 */
final class Guard {
  private final Policy policy;

  Guard(Policy policy) {
    this.policy = policy;
  }

  /** The rows a list for {@code action} may show the caller. */
  Scope scope(AdminCall call, Action action) {
    call.decided();
    return policy.scope(call.principal(), action);
  }

  /**
   * Passes when {@code action} is allowed on {@code target}; {@code read} is the action that would let
   * the caller see the target, and {@code what} names it in a 404 ("key 'k1'").
   */
  void require(AdminCall call, Action action, Target target, Action read, String what) {
    call.decided();
    if (policy.allows(call.principal(), action, target)) {
      return;
    }
    if (read != null && read != action && policy.allows(call.principal(), read, target)) {
      throw ApiError.forbidden("your role does not allow " + describe(action) + " on " + what).exception();
    }
    throw ApiError.notFound("no " + what).exception();
  }

  /** For actions on nothing in particular (creating an organisation, the provider list). */
  void require(AdminCall call, Action action, Target target) {
    call.decided();
    if (!policy.allows(call.principal(), action, target)) {
      throw ApiError.forbidden("your role does not allow " + describe(action)).exception();
    }
  }

  private static String describe(Action action) {
    return action.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
