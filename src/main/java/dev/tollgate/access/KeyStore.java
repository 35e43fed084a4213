package dev.tollgate.access;

import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import java.time.Instant;
import java.util.Optional;

/** Persistence of virtual keys. Every method blocks: call it from a virtual thread. */
public interface KeyStore {

  /** Filters for {@link #list}: each present one narrows the list. */
  record Filter(Optional<String> teamId, Optional<String> userId, Optional<Status> status, Instant now) {
    public static Filter none(Instant now) {
      return new Filter(Optional.empty(), Optional.empty(), Optional.empty(), now);
    }
  }

  /** A key's state at a moment. */
  enum Status { ACTIVE, EXPIRED, REVOKED }

  void insert(ApiKey key);

  /** The key whose current secret, or previous secret still on record, has this digest. */
  Optional<ApiKey> findByHash(String keyHash);

  Optional<ApiKey> findById(String id);

  /** Keys in the scope (its teams; with a user id, that user's keys), ordered by id. */
  Page<ApiKey> list(Scope scope, Filter filter, Page.Request page);

  /** Marks the key revoked; returns false when no such key exists. */
  boolean revoke(String id, Instant when);

  /**
   * Gives the key a new secret and keeps the old one acceptable until {@code previous.validUntil};
   * false when no such live key exists.
   */
  boolean rotate(String id, String newHash, String newPrefix, ApiKey.PreviousSecret previous);
}
