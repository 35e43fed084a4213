package dev.tollgate.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One audit_log row exactly as stored, every column as its raw value, so the verifier can hash rows that
 * no longer parse (a tampered actor type, broken JSON) instead of failing on them.
 */
record AuditRow(long seq, String id, long time, String orgId, String actorType, String actorId, String actorDisplay,
    String action, String targetType, String targetId, String before, String after, String requestId,
    String sourceIp, String prevHash, String hash) {
  /** The {@code prev_hash} of entry 1. */
  static final String GENESIS = "0".repeat(64);

  /** The object whose canonical JSON is hashed: every column but {@code hash}. See {@link AuditLog}. */
  ObjectNode envelope() {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("seq", seq);
    e.put("id", id);
    e.put("time", time);
    e.put("org_id", orgId);
    e.put("actor_type", actorType);
    e.put("actor_id", actorId);
    e.put("actor_display", actorDisplay);
    e.put("action", action);
    e.put("target_type", targetType);
    e.put("target_id", targetId);
    e.put("before", before);
    e.put("after", after);
    e.put("request_id", requestId);
    e.put("source_ip", sourceIp);
    e.put("prev_hash", prevHash);
    return e;
  }

  /** Lower-case hex SHA-256 of the UTF-8 canonical JSON of {@link #envelope()}. */
  String computeHash() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(CanonicalJson.write(envelope()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  AuditRow withHash(String newHash) {
    return new AuditRow(seq, id, time, orgId, actorType, actorId, actorDisplay, action, targetType, targetId, before,
        after, requestId, sourceIp, prevHash, newHash);
  }

  /** The row with its hash, as JSON, for a human reading a verification failure. */
  String describe() {
    return CanonicalJson.write(envelope().put("hash", hash));
  }
}
