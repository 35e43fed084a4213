package dev.tollgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in the YAML tree that knows its path and reports problems instead of throwing, so that
 * one pass over the file lists every mistake. Strings are interpolated as they are read.
 *
 * <p>Not thread-safe: one loader, one thread.
 */
final class ConfigNode {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KiB|MiB|GiB)?", Pattern.CASE_INSENSITIVE);

  private final JsonNode node;
  private final String path;
  private final List<String> problems;
  private final Interpolator interpolator;

  ConfigNode(JsonNode node, String path, List<String> problems, Interpolator interpolator) {
    this.node = node == null ? MissingNode.getInstance() : node;
    this.path = path;
    this.problems = problems;
    this.interpolator = interpolator;
  }

  String path() {
    return path;
  }

  boolean isMissing() {
    return node.isMissingNode() || node.isNull();
  }

  boolean isObjectNode() {
    return node.isObject();
  }

  void problem(String message) {
    problems.add(path + ": " + message);
  }

  ConfigNode child(String name) {
    return new ConfigNode(node.get(name), path.isEmpty() ? name : path + "." + name, problems, interpolator);
  }

  /** Reports fields this section does not know (typos would otherwise be silently ignored). */
  void allowOnly(String... known) {
    if (!node.isObject()) {
      return;
    }
    Set<String> allowed = Set.of(known);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!allowed.contains(field)) {
        String p = path.isEmpty() ? field : path + "." + field;
        problems.add(p + ": unknown field (known: " + String.join(", ", new TreeSet<>(allowed)) + ")");
      }
    }
  }

  /** True when this is an object (or absent); reports other shapes. */
  boolean expectObject() {
    if (isMissing() || node.isObject()) {
      return true;
    }
    problem("expected a mapping, got " + describe());
    return false;
  }

  List<ConfigNode> list() {
    if (isMissing()) {
      return List.of();
    }
    if (!node.isArray()) {
      problem("expected a list, got " + describe());
      return List.of();
    }
    List<ConfigNode> items = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      items.add(new ConfigNode(node.get(i), path + "[" + i + "]", problems, interpolator));
    }
    return items;
  }

  Optional<String> optionalString() {
    if (isMissing()) {
      return Optional.empty();
    }
    if (!node.isValueNode() || node.isBinary()) {
      problem("expected a string, got " + describe());
      return Optional.empty();
    }
    return Optional.of(interpolator.expand(node.asText(), path, problems));
  }

  /**
   * The string value without reporting anything: for a first pass that only collects names, so the
   * real pass does not list the same mistake twice.
   */
  Optional<String> peekString() {
    if (isMissing() || !node.isValueNode() || node.isBinary()) {
      return Optional.empty();
    }
    return Optional.of(interpolator.expand(node.asText(), path, new ArrayList<>()));
  }

  String string(String fallback) {
    return optionalString().orElse(fallback);
  }

  /** A required, non-blank string; reports and returns "" when absent. */
  String requiredString() {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      if (isMissing()) {
        problem("is required");
      }
      return "";
    }
    if (s.get().isBlank()) {
      problem("must not be empty");
    }
    return s.get();
  }

  int integer(int fallback, int min, int max) {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(s.get().trim());
      if (v < min || v > max) {
        problem("must be between " + min + " and " + max + " (is " + v + ")");
        return fallback;
      }
      return v;
    } catch (NumberFormatException e) {
      problem("expected an integer, got '" + s.get() + "'");
      return fallback;
    }
  }

  /** An optional whole number in {@code [min, max]}; empty (and reported) when it is anything else. */
  OptionalLong optionalLong(long min, long max) {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      long v = Long.parseLong(s.get().trim().replace("_", ""));
      if (v < min || v > max) {
        problem("must be between " + min + " and " + max + " (is " + v + ")");
        return OptionalLong.empty();
      }
      return OptionalLong.of(v);
    } catch (NumberFormatException e) {
      problem("expected an integer, got '" + s.get() + "'");
      return OptionalLong.empty();
    }
  }

  /** The field names of a mapping, in file order; empty (and reported) when this is not a mapping. */
  List<String> keys() {
    if (isMissing()) {
      return List.of();
    }
    if (!node.isObject()) {
      problem("expected a mapping, got " + describe());
      return List.of();
    }
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  boolean bool(boolean fallback) {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      return fallback;
    }
    return switch (s.get().trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        problem("expected true or false, got '" + s.get() + "'");
        yield fallback;
      }
    };
  }

  Optional<BigDecimal> decimal() {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      BigDecimal v = new BigDecimal(s.get().trim());
      if (v.signum() < 0) {
        problem("must not be negative (is " + v.toPlainString() + ")");
        return Optional.empty();
      }
      return Optional.of(v);
    } catch (NumberFormatException e) {
      problem("expected a number, got '" + s.get() + "'");
      return Optional.empty();
    }
  }

  Duration duration(Duration fallback) {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      return fallback;
    }
    Matcher m = DURATION.matcher(s.get().trim());
    if (!m.matches()) {
      problem("expected a duration such as 250ms, 5s, 2m or 1h, got '" + s.get() + "'");
      return fallback;
    }
    try {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
      d.toMillis(); // timers take milliseconds; a duration that does not fit is a mistake, not a wrap
      return d;
    } catch (NumberFormatException | ArithmeticException e) {
      problem("duration too large: '" + s.get() + "'");
      return fallback;
    }
  }

  long size(long fallback) {
    Optional<String> s = optionalString();
    if (s.isEmpty()) {
      return fallback;
    }
    Matcher m = SIZE.matcher(s.get().trim());
    if (!m.matches()) {
      problem("expected a size such as 512KB or 10MB, got '" + s.get() + "'");
      return fallback;
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    try {
      long n = Long.parseLong(m.group(1));
      return switch (unit) {
        case "KB", "KIB" -> Math.multiplyExact(n, 1024L);
        case "MB", "MIB" -> Math.multiplyExact(n, 1024L * 1024);
        case "GB", "GIB" -> Math.multiplyExact(n, 1024L * 1024 * 1024);
        default -> n;
      };
    } catch (NumberFormatException | ArithmeticException e) {
      problem("size too large: '" + s.get() + "'");
      return fallback;
    }
  }

  List<String> stringList() {
    List<String> out = new ArrayList<>();
    for (ConfigNode item : list()) {
      item.optionalString().ifPresent(out::add);
    }
    return out;
  }

  Map<String, String> stringMap() {
    Map<String, String> out = new LinkedHashMap<>();
    if (isMissing()) {
      return out;
    }
    if (!node.isObject()) {
      problem("expected a mapping, got " + describe());
      return out;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      child(key).optionalString().ifPresent(v -> out.put(key, v));
    }
    return out;
  }

  <T> T map(Function<ConfigNode, T> reader) {
    return reader.apply(this);
  }

  private String describe() {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    return "'" + node.asText() + "'";
  }
}
