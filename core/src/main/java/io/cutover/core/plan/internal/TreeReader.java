// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.plan.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.CutoverException;
import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads values out of a Jackson tree, naming every problem by its JSON path ({@code
 * $.steps[2].count}) and collecting them instead of stopping at the first, so that one {@link
 * InvalidSpecException} lists them all. A read that fails returns null (or the given default) and
 * the caller carries on; callers build nothing from a null. Not thread-safe: one reader per
 * document.
 */
public final class TreeReader {
  private final List<InvalidSpecException.Violation> violations = new ArrayList<>();

  /** Records a problem at {@code path}. */
  public void problem(String path, String problem, String fix) {
    violations.add(new InvalidSpecException.Violation(path, problem, fix));
  }

  /** Whether any problem was recorded. */
  public boolean failed() {
    return !violations.isEmpty();
  }

  /** How many problems were recorded so far. */
  public int problems() {
    return violations.size();
  }

  /** Throws one exception listing every recorded problem, if there is any. */
  public void throwIfFailed() {
    if (!violations.isEmpty()) {
      throw new InvalidSpecException(violations);
    }
  }

  /** The node as an object, or null (recorded) if it is something else. */
  public @Nullable JsonNode object(@Nullable JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      problem(path, "is " + describe(node) + ", not an object", "write a JSON object {...} here");
      return null;
    }
    return node;
  }

  /** Records every field of {@code object} that is not in {@code known}: usually a typo. */
  public void onlyFields(JsonNode object, String path, Set<String> known) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        problem(
            path + "." + name,
            "is not a known field",
            "remove it or use one of " + new TreeSet<>(known));
      }
    }
  }

  /** A required, non-blank string field. */
  public @Nullable String text(JsonNode object, String field, String path) {
    JsonNode n = object.get(field);
    String at = path + "." + field;
    if (n == null || n.isNull()) {
      problem(at, "is missing", "give '" + field + "' a string value");
      return null;
    }
    if (!n.isTextual() || n.textValue().isBlank()) {
      problem(
          at,
          "is " + describe(n) + ", not a non-blank string",
          "give '" + field + "' a string value");
      return null;
    }
    return n.textValue();
  }

  /** An optional string field: null when absent or null. */
  public @Nullable String optionalText(JsonNode object, String field, String path) {
    JsonNode n = object.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      problem(
          path + "." + field,
          "is " + describe(n) + ", not a string",
          "give '" + field + "' a string value or null");
      return null;
    }
    return n.textValue();
  }

  /**
   * An int field; {@code defaultValue} when absent, null when required and absent or when invalid.
   */
  public @Nullable Integer integer(
      JsonNode object, String field, String path, @Nullable Integer defaultValue) {
    JsonNode n = object.get(field);
    String at = path + "." + field;
    if (n == null || n.isNull()) {
      if (defaultValue == null) {
        problem(at, "is missing", "give '" + field + "' an integer value");
      }
      return defaultValue;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      problem(at, "is " + describe(n) + ", not an integer", "give '" + field + "' a whole number");
      return null;
    }
    return n.intValue();
  }

  /** A boolean field, {@code defaultValue} when absent. */
  public @Nullable Boolean bool(JsonNode object, String field, String path, boolean defaultValue) {
    JsonNode n = object.get(field);
    if (n == null || n.isNull()) {
      return defaultValue;
    }
    if (!n.isBoolean()) {
      problem(path + "." + field, "is " + describe(n) + ", not a boolean", "write true or false");
      return null;
    }
    return n.booleanValue();
  }

  /**
   * An ISO-8601 duration field ({@code PT30S}); {@code defaultValue} when absent or null, so a
   * caller that needs to tell "absent" from "null" checks the node itself.
   */
  public @Nullable Duration duration(
      JsonNode object, String field, String path, @Nullable Duration defaultValue) {
    JsonNode n = object.get(field);
    if (n == null || n.isNull()) {
      return defaultValue;
    }
    String at = path + "." + field;
    if (n.isTextual()) {
      try {
        return Duration.parse(n.textValue());
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    problem(
        at,
        "is " + describe(n) + ", not an ISO-8601 duration",
        "write e.g. \"PT30S\", \"PT5M\" or \"PT1H30M\"");
    return null;
  }

  /** A list of strings; an empty list when absent. Null when invalid. */
  public @Nullable List<String> textList(JsonNode object, String field, String path) {
    JsonNode n = object.get(field);
    String at = path + "." + field;
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      problem(
          at,
          "is " + describe(n) + ", not an array",
          "write an array of strings, e.g. [\"error-rate\"]");
      return null;
    }
    List<String> out = new ArrayList<>();
    int before = problems();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        problem(
            at + "[" + i + "]", "is " + describe(n.get(i)) + ", not a string", "write a string");
      } else {
        out.add(n.get(i).textValue());
      }
    }
    return problems() == before ? out : null;
  }

  /** An object of string values, in document order; an empty map when absent. Null when invalid. */
  public @Nullable Map<String, String> textMap(JsonNode object, String field, String path) {
    JsonNode n = object.get(field);
    String at = path + "." + field;
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      problem(
          at,
          "is " + describe(n) + ", not an object",
          "write an object of strings, e.g. {\"table\": \"orders\"}");
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    int before = problems();
    n.forEachEntry(
        (key, value) -> {
          if (!value.isTextual()) {
            problem(at + "." + key, "is " + describe(value) + ", not a string", "write a string");
          } else {
            out.put(key, value.textValue());
          }
        });
    return problems() == before ? out : null;
  }

  /** An array field, or null (recorded) when absent or not an array. */
  public @Nullable JsonNode array(JsonNode object, String field, String path) {
    JsonNode n = object.get(field);
    if (n == null || !n.isArray()) {
      problem(
          path + "." + field,
          n == null ? "is missing" : "is " + describe(n) + ", not an array",
          "write an array [...] here");
      return null;
    }
    return n;
  }

  /**
   * Builds a value with its own validation, moving the violations it reports under {@code path}: a
   * violation whose path starts with {@code apiPrefix} (e.g. {@code verify}) is re-rooted at {@code
   * path} ({@code verify.count} becomes {@code $.steps[2].count}); any other lands at {@code path}
   * itself. Returns null (recorded) when the value refuses to exist.
   */
  public <T> @Nullable T build(String path, String apiPrefix, Supplier<T> factory) {
    try {
      return factory.get();
    } catch (InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        String p = v.path();
        String rebased =
            p.equals(apiPrefix) || p.startsWith(apiPrefix + ".") || p.startsWith(apiPrefix + "[")
                ? path + p.substring(apiPrefix.length())
                : path;
        problem(rebased, v.problem(), v.fix());
      }
    } catch (CutoverException | IllegalArgumentException | NullPointerException e) {
      problem(
          path,
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
          "correct the value");
    }
    return null;
  }

  /**
   * A short description of a JSON value for messages: {@code a string "x"}, {@code a number 2.5},
   * ...
   */
  public static String describe(@Nullable JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    if (n.isNull()) {
      return "null";
    }
    if (n.isTextual()) {
      String s = n.textValue();
      return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (n.isNumber()) {
      return "the number " + n.asText();
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    return n.isArray() ? "an array" : "an object";
  }
}
