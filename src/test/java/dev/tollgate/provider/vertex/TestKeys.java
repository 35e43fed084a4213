package dev.tollgate.provider.vertex;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Base64;

/** A throwaway RSA key pair made for the tests, and service-account key JSON around it; never a real credential. */
final class TestKeys {
  static final KeyPair PAIR = generate();
  static final String CLIENT_EMAIL = "tollgate-test@test-project.iam.gserviceaccount.com";
  static final String KEY_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6";
  static final String PROJECT = "test-project";

  private TestKeys() {}

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** PKCS#8 PEM with 64-character lines, as in the key files Google hands out. */
  static String pem(PrivateKey key) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }

  /** The base64 of the private key, to check it appears nowhere. */
  static String privateKeyBase64() {
    return Base64.getEncoder().encodeToString(PAIR.getPrivate().getEncoded());
  }

  /** A key file's fields, in the layout of a console download. */
  static ObjectNode keyJson(ObjectMapper json, URI tokenUri) {
    return json.createObjectNode()
        .put("type", "service_account")
        .put("project_id", PROJECT)
        .put("private_key_id", KEY_ID)
        .put("private_key", pem(PAIR.getPrivate()))
        .put("client_email", CLIENT_EMAIL)
        .put("client_id", "113258942105700140798")
        .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
        .put("token_uri", tokenUri.toString())
        .put("auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs")
        .put("client_x509_cert_url",
            "https://www.googleapis.com/robot/v1/metadata/x509/tollgate-test%40test-project.iam.gserviceaccount.com")
        .put("universe_domain", "googleapis.com");
  }

  static ServiceAccountKey key(ObjectMapper json, URI tokenUri) {
    try {
      return ServiceAccountKey.parse(json, json.writeValueAsBytes(keyJson(json, tokenUri)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
