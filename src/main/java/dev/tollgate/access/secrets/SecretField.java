package dev.tollgate.access.secrets;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Which credential of a provider a stored secret is; the wire names are the provider YAML keys. */
public enum SecretField {
  API_KEY("api_key"),
  AWS_ACCESS_KEY_ID("aws_access_key_id"),
  AWS_SECRET_ACCESS_KEY("aws_secret_access_key"),
  AWS_SESSION_TOKEN("aws_session_token"),
  CREDENTIALS_JSON("credentials_json");

  private final String wireName;

  SecretField(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Multi-line values are legitimate only here (a service-account JSON document). */
  public boolean allowsLineBreaks() {
    return this == CREDENTIALS_JSON;
  }

  public static Optional<SecretField> parse(String wireName) {
    return Arrays.stream(values()).filter(f -> f.wireName.equals(wireName)).findFirst();
  }

  /** The wire names, comma-separated, for error messages. */
  public static String known() {
    return Arrays.stream(values()).map(SecretField::wireName).collect(Collectors.joining(", "));
  }
}
