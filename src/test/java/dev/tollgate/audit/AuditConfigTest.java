package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit section validates itself with path-precise messages; events refuse malformed fields. */
class AuditConfigTest {

  @Test
  void defaultsAreValid() {
    assertThat(AuditConfig.defaults().maxSnapshotBytes()).isEqualTo(65_536);
    assertThat(AuditConfig.defaults().redactFields()).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    assertThatThrownBy(() -> new AuditConfig(Arrays.asList("ssn", " ", null, "--"), 10))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "audit.redact_fields[1]: ' ' (expected: a field name with letters or digits)",
            "audit.redact_fields[2]: 'null' (expected: a field name with letters or digits)",
            "audit.redact_fields[3]: '--' (expected: a field name with letters or digits)",
            "audit.max_snapshot_bytes: 10 (expected: 1024 to 16777216)"));
  }

  @Test
  void configuredFieldsAreRedactedInAnySpelling() {
    AuditConfig config = new AuditConfig(List.of("Social-Security_Number"), 1024);
    assertThat(config.redactor().redact(AuditFixture.json("{\"socialSecurityNumber\":\"1\"}")).toString())
        .isEqualTo("{\"socialSecurityNumber\":\"[redacted]\"}");
  }

  @Test
  void eventsRefuseMalformedFields() {
    record Case(Runnable make, String message) {}
    List<Case> cases = List.of(
        new Case(() -> AuditEvent.of(Actor.master(), "Key.Create", null),
            "action: 'Key.Create' (expected: dotted lower-case words such as key.create, at most 100 characters)"),
        new Case(() -> AuditEvent.of(Actor.master(), "key..create", null),
            "action: 'key..create' (expected: dotted lower-case words such as key.create, at most 100 characters)"),
        new Case(() -> AuditEvent.of(null, "key.create", null), "actor: null"),
        new Case(() -> Actor.user(" ", "x"), "actor id: blank (expected: the user's id)"),
        new Case(() -> Actor.key(null, "x"), "actor id: blank (expected: the key's id)"),
        new Case(() -> Target.of("Key", "k"), "target type: 'Key' (expected: [a-z][a-z0-9_]{0,63})"),
        new Case(() -> AuditEvent.of(Actor.master(), "a", null).withRequest("r", "1".repeat(65)),
            "source ip: 65 characters (expected: <= 64)"),
        new Case(() -> Actor.Type.fromWire("admin"),
            "actor type: 'admin' (expected: user, master, key, system, anonymous)"));
    for (Case c : cases) {
      assertThatThrownBy(c.make()::run).isInstanceOf(IllegalArgumentException.class).hasMessage(c.message());
    }
  }

  @Test
  void anEventsToStringNeverShowsItsUnredactedState() {
    AuditEvent event = AuditEvent.of(Actor.master(), AuditActions.SECRET_CHANGE, Target.of("provider", "p"))
        .withChange(null, AuditFixture.json("{\"api_key\":\"sk-live-999999\"}"));
    assertThat(event.toString()).doesNotContain("sk-live-999999").contains("after=(hidden)", "secret.change");
  }

  @Test
  void aLongDisplayNameIsCutNotRefused() {
    Actor a = Actor.anonymous("x".repeat(10_000));
    assertThat(a.display()).hasSize(Actor.MAX_DISPLAY).endsWith("…");
  }
}
