package dev.tollgate.access.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClaimMapperTest {
  private static final Map<String, Object> CLAIMS = claims();

  private static Map<String, Object> claims() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("email", "ada@example.com");
    c.put("groups", List.of("eng", "ops", 42, true, Map.of("nested", "ignored"), List.of("too-deep")));
    c.put("realm_access", Map.of("roles", List.of("tollgate-admin", "offline_access")));
    c.put("resource_access", Map.of("tollgate", Map.of("roles", List.of("viewer"))));
    c.put("https://tollgate.example/groups", List.of("auth0-group"));
    c.put("a.b", Map.of("c", "from-dotted-name"));
    c.put("a", Map.of("b", Map.of("c", "from-nesting")));
    c.put("blank", "  ");
    c.put("object", Map.of("x", 1));
    c.put("nothing", null);
    return c;
  }

  static Stream<Arguments> paths() {
    return Stream.of(
        Arguments.of("email", List.of("ada@example.com")),
        Arguments.of("groups", List.of("eng", "ops", "42", "true")),
        Arguments.of("realm_access.roles", List.of("tollgate-admin", "offline_access")),
        Arguments.of("resource_access.tollgate.roles", List.of("viewer")),
        Arguments.of("https://tollgate.example/groups", List.of("auth0-group")),
        Arguments.of("a.b.c", List.of("from-dotted-name")),
        Arguments.of("missing", List.of()),
        Arguments.of("realm_access.missing", List.of()),
        Arguments.of("email.deeper", List.of()),
        Arguments.of("blank", List.of()),
        Arguments.of("object", List.of()),
        Arguments.of("nothing", List.of()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("paths")
  void extractsStringsAtADotPath(String path, List<String> expected) {
    assertThat(new ClaimPath(path).values(CLAIMS)).containsExactlyElementsOf(expected);
    assertThat(new ClaimPath(path).first(CLAIMS)).isEqualTo(expected.stream().findFirst());
  }

  @Test
  void fallsBackToNestingWhenADottedNameLeadsNowhere() {
    Map<String, Object> claims = Map.of("a.b", Map.of("other", "x"), "a", Map.of("b", Map.of("c", "nested")));
    assertThat(new ClaimPath("a.b.c").values(claims)).containsExactly("nested");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", ".groups", "groups.", "a..b"})
  void refusesEmptySegments(String path) {
    assertThatThrownBy(() -> new ClaimPath(path)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mapsGroupsToTheUnionOfTheirRolesAndTeams() {
    ClaimMapper mapper = new ClaimMapper(new ClaimPath("groups"),
        Map.of("eng", Set.of("member"), "ops", Set.of("member", "team_admin"), "finance", Set.of("auditor")),
        Map.of("eng", Set.of("search", "chat"), "ops", Set.of("platform")));

    ClaimMapper.Mapping mapping = mapper.map(CLAIMS);

    assertThat(mapping.groups()).containsExactly("eng", "ops", "42", "true");
    assertThat(mapping.roles()).containsExactlyInAnyOrder("member", "team_admin");
    assertThat(mapping.teams()).containsExactlyInAnyOrder("search", "chat", "platform");
  }

  @Test
  void noMatchingGroupGrantsNothingAndMatchingIsCaseSensitive() {
    ClaimMapper mapper = new ClaimMapper(new ClaimPath("groups"), Map.of("ENG", Set.of("admin")),
        Map.of("ENG", Set.of("search")));
    ClaimMapper.Mapping mapping = mapper.map(CLAIMS);
    assertThat(mapping.roles()).isEmpty();
    assertThat(mapping.teams()).isEmpty();
    assertThat(mapper.map(Map.of()).groups()).isEmpty();
  }
}
