package dev.tollgate.provider.probe;

import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.Secret;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Removes a provider's configured secrets, and anything shaped like a well-known key, from text a
 * person or a monitoring system will see. Providers and proxies echo keys back in error messages
 * (OpenAI masks the middle of a wrong key, a misconfigured proxy may not mask at all), and a
 * connection error can quote a URL, so every probe detail passes through here. Thread-safe: immutable.
 */
final class SecretScrubber {
  static final String MASK = "****";

  /**
   * OpenAI/Anthropic-style {@code sk-...} keys, AWS access key ids, Google API keys, and SigV4
   * signatures (an AWS error may quote the Authorization header it refused).
   */
  private static final Pattern KEY_SHAPES = Pattern.compile(
      "\\bsk-[A-Za-z0-9_*\\-]{4,}|\\b(?:AKIA|ASIA)[0-9A-Z]{12,}\\b|AIza[0-9A-Za-z_\\-]{16,}"
          + "|(?<=Signature=)[0-9a-fA-F]{16,}");

  private final List<String> secrets;

  SecretScrubber(List<String> secrets) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = secrets.stream().filter(Objects::nonNull).filter(s -> !s.isBlank())
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
  }

  /** Everything of {@code p} that must not be shown: keys, AWS credentials, extra header values. */
  static SecretScrubber of(ProviderConfig p) {
    List<String> values = new ArrayList<>();
    p.apiKey().map(Secret::value).ifPresent(values::add);
    p.cloud().awsAccessKeyId().ifPresent(values::add);
    p.cloud().awsSecretAccessKey().map(Secret::value).ifPresent(values::add);
    p.cloud().awsSessionToken().map(Secret::value).ifPresent(values::add);
    // Extra headers often carry credentials of gateways in front of the provider (e.g. cf-aig-authorization).
    values.addAll(p.headers().values());
    return new SecretScrubber(values);
  }

  /**
   * {@code text} scrubbed, on one line, then cut to {@code maxChars}: in that order, so a cut never
   * leaves a fragment of a secret the scrubber would no longer recognise.
   */
  String clean(String text, int maxChars) {
    String line = scrub(text).replaceAll("\\s+", " ").strip();
    return line.length() <= maxChars ? line : line.substring(0, maxChars) + "...";
  }

  String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, MASK);
    }
    return KEY_SHAPES.matcher(out).replaceAll(MASK);
  }
}
