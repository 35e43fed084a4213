package dev.tollgate.access.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import dev.tollgate.config.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtSettingsTest {
  private static final URI JWKS = URI.create("https://idp.example.com/jwks");

  private static JwtIssuer issuer(String iss, URI jwks, String audience, Set<JWSAlgorithm> algs) {
    return new JwtIssuer(iss, jwks, audience, algs, null, null, Optional.empty(), Optional.empty());
  }

  static Stream<Arguments> invalid() {
    JwtIssuer ok = issuer("https://idp.example.com/", JWKS, "tollgate", null);
    return Stream.of(
        Arguments.of((Supplier<?>) () -> issuer("http://idp.example.com/", JWKS, "tollgate", null),
            "auth.jwt.issuers[] (http://idp.example.com/).issuer must use https"),
        Arguments.of((Supplier<?>) () -> issuer("", JWKS, "tollgate", null), "auth.jwt.issuers[].issuer is required"),
        Arguments.of((Supplier<?>) () -> issuer("https://idp.example.com/", null, "tollgate", null),
            "jwks_url is required"),
        Arguments.of((Supplier<?>) () -> issuer("https://idp.example.com/", URI.create("https://idp/jwks?x=1"), "t", null),
            "jwks_url must be an absolute URL with a host and no query"),
        Arguments.of((Supplier<?>) () -> issuer("https://idp.example.com/", JWKS, " ", null), ".audience is required"),
        Arguments.of((Supplier<?>) () -> issuer("https://idp.example.com/", JWKS, "t", Set.of(JWSAlgorithm.HS256)),
            ".algorithms may only list"),
        Arguments.of((Supplier<?>) () -> new JwtSettings(List.of(), Duration.ofMinutes(6), null, null, null),
            "auth.jwt.clock_skew must be between 0s and 5m"),
        Arguments.of((Supplier<?>) () -> new JwtSettings(List.of(), Duration.ofSeconds(-1), null, null, null),
            "auth.jwt.clock_skew"),
        Arguments.of((Supplier<?>) () -> new JwtSettings(List.of(), null, Duration.ZERO, null, null),
            "auth.jwt.jwks_ttl must be positive"),
        Arguments.of((Supplier<?>) () -> new JwtSettings(List.of(), null, Duration.ofMinutes(1), Duration.ofMinutes(2), null),
            "auth.jwt.jwks_min_refetch"),
        Arguments.of((Supplier<?>) () -> new JwtSettings(List.of(ok, ok), null, null, null, null),
            "auth.jwt.issuers[1].issuer repeats"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalid")
  void refusesInvalidSettingsNamingThePath(Supplier<?> build, String message) {
    assertThatThrownBy(build::get).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void defaultsAreFilledIn() {
    JwtIssuer loopback = issuer("http://127.0.0.1:8080/realms/x", URI.create("http://localhost:8080/jwks"), "t", null);
    JwtSettings settings = new JwtSettings(List.of(loopback), null, null, null, null);

    assertThat(loopback.algorithms()).isEqualTo(SignedTokenVerifier.ASYMMETRIC);
    assertThat(loopback.user().path()).isEqualTo("sub");
    assertThat(loopback.email().path()).isEqualTo("email");
    assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.jwksTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.jwksMinRefetch()).isEqualTo(Duration.ofSeconds(30));
    assertThat(JwtIssuer.algorithms(List.of("RS256", "ES256"))).containsExactlyInAnyOrder(JWSAlgorithm.RS256,
        JWSAlgorithm.ES256);
  }
}
