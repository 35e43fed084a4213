package dev.tollgate.routing;

/**
 * One way to serve a model: a provider and the model name it knows.
 *
 * @param id stable display id, {@code provider/upstreamModel}
 */
public record Deployment(String id, String provider, String upstreamModel, int weight) {}
