package dev.tollgate.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Expands {@code ${VAR}} and {@code ${VAR:-default}} in configuration strings; {@code $$} is a literal dollar. */
final class Interpolator {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final Map<String, String> env;

  Interpolator(Map<String, String> env) {
    this.env = env;
  }

  /** The expanded text; unresolvable references are reported to {@code problems} under {@code path}. */
  String expand(String text, String path, List<String> problems) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String value = env.get(m.group(1));
        if (value != null && !(value.isEmpty() && m.group(2) != null)) {
          replacement = value;
        } else if (m.group(2) != null) {
          replacement = m.group(3);
        } else {
          problems.add(path + ": environment variable " + m.group(1) + " is not set");
          replacement = "";
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
