package dev.tollgate.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Persistence of virtual keys. Every method blocks: call it from a virtual thread. */
public interface KeyStore {

  void insert(ApiKey key);

  Optional<ApiKey> findByHash(String keyHash);

  Optional<ApiKey> findById(String id);

  List<ApiKey> list();

  /** Marks the key revoked; returns false when no such key exists. */
  boolean revoke(String id, Instant when);
}
