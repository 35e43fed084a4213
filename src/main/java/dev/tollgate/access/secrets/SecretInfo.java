package dev.tollgate.access.secrets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * What may be shown about a stored provider secret: everything except the value, which this type
 * cannot hold. Used for listings, API answers and audit entries.
 *
 * @param keyId the encryption key the value is stored under
 * @param fingerprint {@code sha256:} and the first 8 hex digits of the value's SHA-256, so an operator
 *     can tell which value is stored without seeing it
 * @param updatedBy who last changed the value
 */
public record SecretInfo(String provider, SecretField field, String keyId, String fingerprint, Instant createdAt,
    Instant updatedAt, String updatedBy) {

  /** The admin API's JSON shape. */
  public ObjectNode toJson(ObjectMapper json) {
    return json.createObjectNode()
        .put("object", "provider_secret")
        .put("provider", provider)
        .put("field", field.wireName())
        .put("key_id", keyId)
        .put("fingerprint", fingerprint)
        .put("created_at", createdAt.toString())
        .put("updated_at", updatedAt.toString())
        .put("updated_by", updatedBy);
  }
}
