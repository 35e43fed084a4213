package dev.tollgate.routing;

/**
 * One upstream call a request makes: its number (1 for the first), the model it serves (the caller's
 * or a fallback), the deployment, and why it was chosen ({@code weighted}, {@code retry:server_error},
 * {@code fallback:rate_limited}, ...), which the response header and the usage record carry.
 */
public record Attempt(int number, Model model, DeploymentHealth health, String reason) {

  public Deployment deployment() {
    return health.deployment();
  }
}
