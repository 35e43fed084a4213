package dev.tollgate.access;

import dev.tollgate.access.jwt.JwtCallerVerifier;
import dev.tollgate.config.Secret;
import dev.tollgate.server.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a presented secret into a {@link Caller}: the master key, a JWT from a trusted issuer (when
 * {@code auth.jwt} is configured; see {@link JwtCallers}), or a live virtual key from the
 * {@link KeyCache}. Never touches the database on the calling thread. Thread-safe.
 */
public final class Authenticator {
  private final byte[] masterKey;
  private final KeyCache keys;
  private final Clock clock;
  private final Optional<JwtCallers> jwtCallers;

  public Authenticator(Secret masterKey, KeyCache keys, Clock clock) {
    this(masterKey, keys, clock, Optional.empty());
  }

  public Authenticator(Secret masterKey, KeyCache keys, Clock clock, Optional<JwtCallers> jwtCallers) {
    this.masterKey = masterKey.value().getBytes(StandardCharsets.UTF_8);
    this.keys = keys;
    this.clock = clock;
    this.jwtCallers = jwtCallers;
  }

  /** Completes with the caller, or exceptionally with a {@code GatewayException} (401, or 503 if keys cannot be read). */
  public CompletableFuture<Caller> authenticate(String presented) {
    if (presented == null || presented.isBlank()) {
      return CompletableFuture.failedFuture(ApiError.missingKey().exception());
    }
    if (isMaster(presented)) {
      return CompletableFuture.completedFuture(Caller.master());
    }
    // Virtual keys start with "tg-", so a JWT-shaped secret can only be a JWT: it never costs a key lookup.
    if (jwtCallers.isPresent() && JwtCallerVerifier.looksLikeJwt(presented)) {
      return jwtCallers.get().authenticate(presented);
    }
    String digest = KeySecrets.digest(presented);
    return keys.get(digest).handle((found, failure) -> {
      if (failure != null) {
        throw ApiError.overloaded("API keys cannot be verified right now (the key store is unavailable)")
            .exception();
      }
      return toCaller(digest, found);
    });
  }

  public boolean isMaster(String presented) {
    return presented != null
        && MessageDigest.isEqual(masterKey, presented.getBytes(StandardCharsets.UTF_8));
  }

  private Caller toCaller(String digest, Optional<ApiKey> found) {
    ApiKey key = usable(digest, found);
    return new Caller(key.id(), key.name(), key.teamId(), key.userId(), key.models(), false);
  }

  /**
   * The key a presented secret's digest found, if it opens anything now; otherwise the 401 that says
   * why (unknown, revoked, expired, its user disabled, or a rotated-out secret). The admin API asks the
   * same question of a fresh read.
   */
  public ApiKey usable(String digest, Optional<ApiKey> found) {
    ApiKey key = found.orElseThrow(() -> ApiError.invalidKey().exception());
    if (key.revoked()) {
      throw ApiError.revokedKey().exception();
    }
    Instant now = clock.instant();
    if (key.expiredAt(now)) {
      throw ApiError.expiredKey().exception();
    }
    if (key.ownerDisabled()) {
      throw new ApiError(401, "authentication_error", "user_disabled", "the key's user is disabled").exception();
    }
    if (!key.accepts(digest, now)) {
      throw ApiError.rotatedKey().exception();
    }
    return key;
  }
}
