package dev.tollgate.access.jwt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dot path into a token's claims ({@code email}, {@code realm_access.roles},
 * {@code resource_access.tollgate.roles}) that yields the strings found there: a string gives itself, an
 * array its scalar elements, a number or boolean its text, an object or null nothing.
 *
 * <p>Claim names may themselves contain dots (Auth0 requires namespaced custom claims such as
 * {@code https://tollgate.example/groups}), so at every level the longest name present in the object
 * wins: {@code https://tollgate.example/groups} is read as one name when the token has that claim.
 */
public record ClaimPath(String path) {
  public ClaimPath {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("a claim path must not be blank");
    }
    if (path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      throw new IllegalArgumentException("claim path '" + path + "' has an empty segment");
    }
  }

  /** Every string at the path; empty when the path does not exist. */
  public List<String> values(Map<String, Object> claims) {
    List<String> out = new ArrayList<>();
    collect(lookup(claims, path), out);
    return List.copyOf(out);
  }

  /** The first string at the path, if any. */
  public Optional<String> first(Map<String, Object> claims) {
    List<String> values = values(claims);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
  }

  private static Object lookup(Object node, String rest) {
    if (!(node instanceof Map<?, ?> object)) {
      return null;
    }
    if (object.containsKey(rest)) {
      return object.get(rest);
    }
    // Longest prefix first, so "a.b.c" prefers a claim named "a.b" over one named "a".
    for (int dot = rest.lastIndexOf('.'); dot > 0; dot = rest.lastIndexOf('.', dot - 1)) {
      String name = rest.substring(0, dot);
      if (object.containsKey(name)) {
        Object found = lookup(object.get(name), rest.substring(dot + 1));
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static void collect(Object value, List<String> out) {
    switch (value) {
      case null -> { }
      case String s -> {
        if (!s.isBlank()) {
          out.add(s);
        }
      }
      case Number n -> out.add(n.toString());
      case Boolean b -> out.add(b.toString());
      case Collection<?> array -> {
        for (Object element : array) {
          if (!(element instanceof Collection<?>)) {
            collect(element, out);
          }
        }
      }
      default -> { }
    }
  }

  @Override
  public String toString() {
    return path;
  }
}
