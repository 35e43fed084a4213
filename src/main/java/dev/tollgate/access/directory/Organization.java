package dev.tollgate.access.directory;

import java.time.Instant;

/** A tenant: teams, users and their keys belong to exactly one. */
public record Organization(String id, String name, Instant createdAt) {}
