package dev.tollgate.access.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OidcSettingsTest {
  private static final URI REDIRECT = URI.create("https://tollgate.example.com/auth/callback");

  private static OidcSettings with(String issuer, String clientId, String secret, URI redirect, List<String> scopes,
      Map<String, Set<String>> roles, Set<String> domains, Duration skew, Duration pendingTtl) {
    return new OidcSettings(issuer, clientId, secret == null ? null : new Secret(secret), redirect, scopes, null, null,
        null, null, roles, null, domains, skew, pendingTtl, null, null);
  }

  private static OidcSettings valid() {
    return with("https://accounts.google.com", "client", "hunter2-value", REDIRECT, null, null, null, null, null);
  }

  static Stream<Arguments> invalid() {
    String iss = "https://idp.example.com";
    return Stream.of(
        Arguments.of((Supplier<?>) () -> with("http://idp.example.com", "c", "s", REDIRECT, null, null, null, null, null),
            "auth.oidc.issuer must use https"),
        Arguments.of((Supplier<?>) () -> with(iss, " ", "s", REDIRECT, null, null, null, null, null),
            "auth.oidc.client_id is required"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", null, REDIRECT, null, null, null, null, null),
            "auth.oidc.client_secret is required"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", null, null, null, null, null, null),
            "auth.oidc.redirect_uri is required"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", URI.create("http://tollgate.example.com/cb"), null, null,
            null, null, null), "auth.oidc.redirect_uri must use https"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", REDIRECT, List.of("email"), null, null, null, null),
            "auth.oidc.scopes must include openid"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", REDIRECT, null, Map.of("eng", Set.of("superuser")), null,
            null, null), "auth.oidc.group_roles.eng has unknown role 'superuser'"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", REDIRECT, null, null, Set.of("@example.com"), null, null),
            "auth.oidc.allowed_domains has '@example.com'"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", REDIRECT, null, null, null, Duration.ofMinutes(6), null),
            "auth.oidc.clock_skew must be between 0s and 5m"),
        Arguments.of((Supplier<?>) () -> with(iss, "c", "s", REDIRECT, null, null, null, null, Duration.ofSeconds(30)),
            "auth.oidc.pending_ttl must be between 1m and 1h"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalid")
  void refusesInvalidSettingsNamingThePath(Supplier<?> build, String message) {
    assertThatThrownBy(build::get).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> with("ftp://x", "", null, null, null, null, null, null, null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(4));
  }

  @Test
  void fillsDefaultsAndNormalisesDomains() {
    OidcSettings s = with("https://idp.example.com", "c", "s", REDIRECT, null, null, Set.of(" Example.COM "), null, null);
    assertThat(s.scopes()).containsExactly("openid", "email", "profile");
    assertThat(s.clientAuth()).isEqualTo(OidcSettings.ClientAuth.CLIENT_SECRET_BASIC);
    assertThat(s.emailClaim().path()).isEqualTo("email");
    assertThat(s.groupsClaim().path()).isEqualTo("groups");
    assertThat(s.allowedDomains()).containsExactly("example.com");
    assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.pendingTtl()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void neverPrintsTheClientSecret() {
    assertThat(valid().toString()).doesNotContain("hunter2").contains("Secret[****]");
    PendingLogin login = new PendingLogin("h", "n", "the-verifier", "/", java.time.Instant.EPOCH,
        java.time.Instant.EPOCH);
    assertThat(login.toString()).doesNotContain("the-verifier");
  }
}
