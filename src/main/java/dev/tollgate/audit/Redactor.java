package dev.tollgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Removes secrets from JSON before it reaches the audit log, at any depth: the value of every member whose
 * name marks a secret becomes {@value #REDACTED}, whatever its type (a JSON {@code null} stays null, so
 * "secret cleared" stays visible). Names are compared normalized (lower case, only letters and digits:
 * {@code clientSecret}, {@code client_secret} and {@code CLIENT-SECRET} are one name) and match when they
 * end with a listed name, so {@code secret} also covers {@code webhook_secret}. A member whose name ends
 * with {@code key} and is not listed is redacted only when its value looks like a secret (see
 * {@link #looksLikeSecret}), so {@code sort_key: "created_at"} stays readable. Thread-safe and immutable.
 */
public final class Redactor {
  /** What a redacted value becomes. */
  public static final String REDACTED = "[redacted]";

  /** Always redacted, before any configured additions. */
  public static final List<String> DEFAULT_FIELDS = List.of("password", "passwordhash", "passwd", "passphrase",
      "secret", "token", "apikey", "privatekey", "masterkey", "accesskey", "signingkey", "encryptionkey",
      "totp", "otp", "recoverycode", "recoverycodes", "credential", "credentials", "authorization", "cookie");

  /** Prefixes of secrets this gateway and common providers hand out. */
  private static final List<String> SECRET_PREFIXES = List.of("tg-", "sk-", "sk_", "pk_", "ghp_", "xox");

  private final Set<String> names;

  /** Redacts {@link #DEFAULT_FIELDS} plus {@code extraFields} (any spelling; normalized here). */
  public Redactor(Collection<String> extraFields) {
    this.names = Stream.concat(DEFAULT_FIELDS.stream(), extraFields.stream())
        .map(Redactor::normalize)
        .filter(n -> !n.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** A redacted deep copy of {@code node} (null for null); the argument is not changed. */
  public JsonNode redact(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> member : node.properties()) {
        JsonNode value = member.getValue();
        copy.set(member.getKey(), isSecret(member.getKey(), value) ? TextNode.valueOf(REDACTED) : redact(value));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
      node.forEach(element -> copy.add(redact(element)));
      return copy;
    }
    return node.deepCopy();
  }

  private boolean isSecret(String name, JsonNode value) {
    if (value.isNull()) {
      return false;
    }
    String n = normalize(name);
    for (String secret : names) {
      if (n.endsWith(secret)) {
        return true;
      }
    }
    return n.endsWith("key") && value.isTextual() && looksLikeSecret(value.textValue());
  }

  /**
   * True for text shaped like a credential: a known prefix ({@code tg-}, {@code sk-}, ...) followed by
   * something, or at least 16 characters without whitespace mixing letters and digits. Errs towards
   * redacting: an id under a {@code *_key} name is hidden too.
   */
  static boolean looksLikeSecret(String s) {
    for (String prefix : SECRET_PREFIXES) {
      if (s.length() > prefix.length() + 3 && s.startsWith(prefix)) {
        return true;
      }
    }
    return s.length() >= 16 && s.chars().noneMatch(Character::isWhitespace)
        && s.chars().anyMatch(Character::isLetter) && s.chars().anyMatch(Character::isDigit);
  }

  static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }
}
