package dev.tollgate.config;

/** One provider + upstream model that can serve a model name. */
public record DeploymentConfig(String provider, String model, int weight) {}
