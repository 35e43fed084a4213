package dev.tollgate.provider.vertex;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Google service-account key, as downloaded from the Cloud console ({@code "type": "service_account"}).
 *
 * <p>The private key never leaves this object in text form: {@link #toString()} leaves it out, and
 * no exception thrown while reading a key carries the key's bytes or a parser's cause (a JSON
 * parser's message may quote the text it choked on, which could be part of the key).
 *
 * @param tokenUri where access tokens are requested; https, except on a loopback address (a test's
 *     fake token server), since the signed assertion sent there is itself a credential for an hour
 */
public record ServiceAccountKey(String clientEmail, String privateKeyId, RSAPrivateKey privateKey, URI tokenUri,
    String projectId) {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  public ServiceAccountKey {
    Objects.requireNonNull(clientEmail, "clientEmail");
    Objects.requireNonNull(privateKeyId, "privateKeyId");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(tokenUri, "tokenUri");
    Objects.requireNonNull(projectId, "projectId");
  }

  /**
   * Reads a key file; blocking, so for startup.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static ServiceAccountKey read(ObjectMapper json, Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("service-account key file " + file + " cannot be read: "
          + e.getClass().getSimpleName());
    }
    try {
      return parse(json, bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  /**
   * Parses a key's JSON text (from a file or an environment variable).
   *
   * @throws IllegalArgumentException naming the missing or invalid field
   */
  public static ServiceAccountKey parse(ObjectMapper json, byte[] text) {
    JsonNode root;
    try {
      root = json.readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("the service-account key is not JSON");
    } catch (IOException e) {
      throw new IllegalArgumentException("the service-account key cannot be read");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the service-account key is not a JSON object");
    }
    String type = field(root, "type");
    if (!type.equals("service_account")) {
      throw new IllegalArgumentException("type is '" + type + "', expected 'service_account' "
          + "(user credentials and external-account configurations are not supported)");
    }
    return new ServiceAccountKey(field(root, "client_email"), field(root, "private_key_id"),
        privateKey(field(root, "private_key")), tokenUri(field(root, "token_uri")), field(root, "project_id"));
  }

  @Override
  public String toString() {
    return "ServiceAccountKey[clientEmail=" + clientEmail + ", privateKeyId=" + privateKeyId + ", tokenUri="
        + tokenUri + ", projectId=" + projectId + ", privateKey=****]";
  }

  private static String field(JsonNode root, String name) {
    JsonNode value = root.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("the service-account key has no '" + name + "'");
    }
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new IllegalArgumentException("'" + name + "' must be a non-empty string");
    }
    return value.textValue().trim();
  }

  private static RSAPrivateKey privateKey(String pem) {
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException("'private_key' is not a PEM-encoded PKCS#8 private key "
          + "(-----BEGIN PRIVATE KEY-----)");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      // The RSA key factory only makes RSA keys; an EC or Ed25519 key fails to parse here.
      return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      // Neither the decoder's nor the key factory's message is kept: they may describe the key's bytes.
      throw new IllegalArgumentException("'private_key' is not a valid PKCS#8 RSA private key");
    }
  }

  private static URI tokenUri(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'token_uri' is not a URI: " + text);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && loopback(uri.getHost()))) {
      throw new IllegalArgumentException("'token_uri' must be an https URL (http only on a loopback address): "
          + text);
    }
    return uri;
  }

  private static boolean loopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses: resolving a name here would block and could be spoofed.
    if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+]")) {
      return false;
    }
    try {
      return InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
          .isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
