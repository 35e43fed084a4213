package dev.tollgate.config;

/** The master key that administers the gateway (and may call every model). */
public record AuthConfig(Secret masterKey) {}
