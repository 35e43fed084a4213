package dev.tollgate.access.secrets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.Secret;
import dev.tollgate.server.ApiError;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The admin API's provider-credential operations as plain methods, for the admin router to mount:
 * {@code PUT /admin/v1/providers/:provider/secrets/:field} with {@code {"value": "..."}}, {@code DELETE}
 * of the same path, and {@code GET /admin/v1/providers/secrets}. Answers carry metadata only; the value
 * goes one way, into the store. Bad input throws {@link ApiError}'s exception, whose messages never
 * quote the body (a rejected body may still be a real key). Blocks on the database: call from a
 * virtual thread. Thread-safe.
 */
public final class ProviderSecretsApi {
  /** Longest value accepted: a service-account JSON key is about 2.4k characters. */
  public static final int MAX_VALUE_CHARS = 16 * 1024;
  private static final String BODY_SHAPE = "expected a JSON object {\"value\": \"...\"}";

  private final ProviderSecrets secrets;
  private final Predicate<String> providerExists;
  private final ObjectMapper json;

  /**
   * @param providerExists whether a provider of that name is configured; secrets of unknown providers
   *     are refused so a typo does not store a key nobody uses
   */
  public ProviderSecretsApi(ProviderSecrets secrets, Predicate<String> providerExists, ObjectMapper json) {
    this.secrets = secrets;
    this.providerExists = providerExists;
    this.json = json;
  }

  /**
   * An answer and the audit entry it calls for.
   *
   * @param status 201 (created), 200 (replaced or deleted)
   */
  public record Outcome(int status, JsonNode body, Audit audit) {}

  /**
   * What the audit log records about a change: the action, its target and the metadata around it.
   *
   * @param action {@code provider_secret.set} or {@code provider_secret.delete}
   * @param target {@code <provider>/<field>}
   */
  public record Audit(String action, String target, Optional<JsonNode> before, Optional<JsonNode> after) {}

  /** Sets the value from a request body {@code {"value": "..."}}. */
  public Outcome put(String provider, String field, byte[] body, String actor) {
    checkProvider(provider);
    SecretField secretField = field(field);
    Secret value = value(body, secretField);
    ProviderSecrets.Change change = secrets.set(provider, secretField, value, actor);
    JsonNode after = change.after().map(i -> (JsonNode) i.toJson(json))
        .orElseThrow(() -> new IllegalStateException("the secret just set is not stored"));
    return new Outcome(change.created() ? 201 : 200, after,
        audit("provider_secret.set", provider, secretField, change));
  }

  /** Deletes the value; 404 when none is stored. */
  public Outcome delete(String provider, String field, String actor) {
    checkProvider(provider);
    SecretField secretField = field(field);
    ProviderSecrets.Change change = secrets.delete(provider, secretField, actor);
    ObjectNode before = change.before().map(i -> i.toJson(json)).orElseThrow(() -> ApiError.notFound(
        "no " + secretField.wireName() + " is stored for provider '" + provider + "'").exception());
    return new Outcome(200, before.deepCopy().put("deleted", true),
        audit("provider_secret.delete", provider, secretField, change));
  }

  /** Every stored secret's metadata: {@code {"object": "list", "data": [...]}}. */
  public JsonNode list() {
    ObjectNode root = json.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    secrets.list().forEach(i -> data.add(i.toJson(json)));
    return root;
  }

  private Audit audit(String action, String provider, SecretField field, ProviderSecrets.Change change) {
    return new Audit(action, provider + "/" + field.wireName(), change.before().map(i -> i.toJson(json)),
        change.after().map(i -> i.toJson(json)));
  }

  private void checkProvider(String provider) {
    if (provider == null || !ProviderSecrets.PROVIDER_NAME.matcher(provider).matches()) {
      throw ApiError.invalidRequest("the provider name must be 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter"
          + " or digit", "provider").exception();
    }
    if (!providerExists.test(provider)) {
      throw ApiError.notFound("no provider named '" + provider + "' is configured").exception();
    }
  }

  private static SecretField field(String field) {
    return SecretField.parse(field == null ? "" : field).orElseThrow(() -> ApiError.invalidRequest(
        "unknown secret field (known: " + SecretField.known() + ")", "field").exception());
  }

  private Secret value(byte[] body, SecretField field) {
    JsonNode root;
    try {
      root = body == null || body.length == 0 ? null
          : json.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(body);
    } catch (IOException e) {
      // Jackson's message quotes the offending token, which may be the secret itself.
      throw ApiError.invalidJson(BODY_SHAPE).exception();
    }
    if (root == null || !root.isObject()) {
      throw ApiError.invalidRequest("the request body must be a JSON object {\"value\": \"...\"}", null).exception();
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.equals("value")) {
        // The name is not quoted either: a mistyped body may have put the key where a name goes.
        throw ApiError.invalidRequest("unknown field in the body (known: value)", null).exception();
      }
    }
    JsonNode value = root.get("value");
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw ApiError.invalidRequest("'value' must be a non-empty string", "value").exception();
    }
    String text = value.asText();
    if (text.length() > MAX_VALUE_CHARS) {
      throw ApiError.invalidRequest("'value' is longer than " + MAX_VALUE_CHARS + " characters", "value")
          .exception();
    }
    if (!text.strip().equals(text)) {
      throw ApiError.invalidRequest("'value' has leading or trailing whitespace (a pasted line break?)", "value")
          .exception();
    }
    boolean control = text.chars().anyMatch(c -> Character.isISOControl(c)
        && !(field.allowsLineBreaks() && (c == '\n' || c == '\r' || c == '\t')));
    if (control) {
      throw ApiError.invalidRequest("'value' contains control characters", "value").exception();
    }
    return new Secret(text);
  }
}
