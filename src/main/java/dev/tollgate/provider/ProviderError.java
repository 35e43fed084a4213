package dev.tollgate.provider;

/**
 * An error answer from a provider, read from its own error shape.
 *
 * @param status the provider's HTTP status
 * @param type the provider's error type or code (e.g. {@code overloaded_error}, {@code RESOURCE_EXHAUSTED})
 * @param retryAfterSeconds from {@code Retry-After} or the provider's own hint, -1 when absent
 */
public record ProviderError(int status, ErrorClass errorClass, String type, String message, long retryAfterSeconds) {}
