package dev.tollgate.provider;

import io.vertx.core.buffer.Buffer;

/**
 * What the gateway sends upstream: the body already rewritten for the deployment.
 *
 * @param upstreamModel the deployment's model name (Azure puts it in the URL, not the body)
 */
public record UpstreamRequest(Endpoint endpoint, String upstreamModel, Buffer body, boolean stream, String requestId) {}
