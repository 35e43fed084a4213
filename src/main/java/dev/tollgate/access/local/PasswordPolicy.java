package dev.tollgate.access.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a new password must satisfy, after NIST SP 800-63B: long enough, bounded, not the account's own
 * email, not one of the passwords attackers try first. No composition rules (they make passwords
 * harder to remember, not to guess). Lengths count Unicode code points after NFKC normalisation, the
 * form {@link PasswordHasher} hashes. Thread-safe, immutable.
 */
public final class PasswordPolicy {
  /** Why a password was refused. */
  public enum Violation { TOO_SHORT, TOO_LONG, CONTAINS_EMAIL, TOO_COMMON }

  private static final String COMMON_RESOURCE = "common-passwords.txt";
  /** The name part of an email counts only when it is long enough to be more than a coincidence. */
  private static final int MIN_LOCAL_PART = 4;

  private final int minLength;
  private final Set<String> common;

  public PasswordPolicy(int minLength) {
    if (minLength < 1) {
      throw new IllegalArgumentException("minLength: " + minLength + " (expected: >= 1)");
    }
    this.minLength = minLength;
    this.common = loadCommon();
  }

  /** Every rule {@code password} breaks for the account with {@code email} (null when it has none); empty = accepted. */
  public Set<Violation> check(String password, String email) {
    Set<Violation> violations = EnumSet.noneOf(Violation.class);
    String normal = password == null ? "" : Normalizer.normalize(password, Normalizer.Form.NFKC);
    if (normal.codePointCount(0, normal.length()) < minLength) {
      violations.add(Violation.TOO_SHORT);
    }
    if (normal.getBytes(StandardCharsets.UTF_8).length > PasswordHasher.MAX_BYTES) {
      violations.add(Violation.TOO_LONG);
    }
    String folded = normal.toLowerCase(Locale.ROOT);
    if (email != null && containsEmail(folded, email.strip().toLowerCase(Locale.ROOT))) {
      violations.add(Violation.CONTAINS_EMAIL);
    }
    if (common.contains(folded)) {
      violations.add(Violation.TOO_COMMON);
    }
    return violations;
  }

  /** A message for people, safe to show and log: it names the rules, never the password. */
  public String describe(Set<Violation> violations) {
    return violations.stream().map(v -> switch (v) {
      case TOO_SHORT -> "the password must have at least " + minLength + " characters";
      case TOO_LONG -> "the password must not exceed " + PasswordHasher.MAX_BYTES + " bytes";
      case CONTAINS_EMAIL -> "the password must not contain the account's email address or its name part";
      case TOO_COMMON -> "the password is one of the most common passwords";
    }).collect(Collectors.joining("; "));
  }

  public int minLength() {
    return minLength;
  }

  private static boolean containsEmail(String password, String email) {
    if (email.isEmpty()) {
      return false;
    }
    if (password.contains(email)) {
      return true;
    }
    int at = email.indexOf('@');
    String local = at < 0 ? email : email.substring(0, at);
    return local.length() >= MIN_LOCAL_PART && password.contains(local);
  }

  private static Set<String> loadCommon() {
    try (InputStream in = PasswordPolicy.class.getResourceAsStream(COMMON_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + COMMON_RESOURCE + " next to " + PasswordPolicy.class);
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        return reader.lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .map(line -> line.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + COMMON_RESOURCE, e);
    }
  }
}
