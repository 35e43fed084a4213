package dev.tollgate.access.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnPathTest {
  @ParameterizedTest
  @ValueSource(strings = {"/", "/console", "/console/keys?tab=active&page=2", "/a/b#section", "/%2F%2Fevil.example"})
  void acceptsPathsOnThisSite(String path) {
    assertThat(ReturnPath.check(path)).contains(path);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://evil.example/", "http://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
      "\\\\evil.example", "javascript:alert(1)", "evil.example", "console", "/\t/evil.example", "/\n/evil.example",
      "/ok\r\nSet-Cookie:x=1", " /console", "/console path", "data:text/html,hi", "/\u0000"})
  void refusesAnythingThatCouldLeaveTheSite(String path) {
    assertThat(ReturnPath.check(path)).isEmpty();
  }

  @Test
  void absentMeansTheRootAndOverlongIsRefused() {
    assertThat(ReturnPath.check(null)).contains("/");
    assertThat(ReturnPath.check("")).contains("/");
    assertThat(ReturnPath.check("/" + "a".repeat(1024))).isEmpty();
  }
}
