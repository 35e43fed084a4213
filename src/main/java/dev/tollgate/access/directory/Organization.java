package dev.tollgate.access.directory;

import java.time.Instant;

/** A tenant: teams, users and their keys belong to exactly one. */
public record Organization(String id, String name, Instant createdAt) {
  /** The organisation every install starts with; keys made before organisations existed are in it. */
  public static final String DEFAULT_ID = "default";
}
