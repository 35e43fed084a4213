package dev.tollgate.config;

import java.time.Duration;

/**
 * The usage writer's bounds.
 *
 * @param queueCapacity usage records that may wait for the database; beyond it callers get 503
 * @param batchSize most records per insert batch
 * @param flushInterval longest a record waits before its batch is written
 */
public record UsageConfig(int queueCapacity, int batchSize, Duration flushInterval) {}
