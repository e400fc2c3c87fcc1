package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A typed, read-only view of one provider's configuration (from YAML, JSON or code).
 *
 * <p>Every error names the provider and the JSON path of the key, says what was found, and how to fix
 * it: a missing required key, a value of the wrong type, a malformed duration, or (with
 * {@link #requireOnly}) a key the provider does not know, which is usually a typo.
 *
 * <p>Durations accept {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, combinations such as
 * {@code 1m30s}, and ISO-8601 ({@code PT30S}). Numbers given as strings are accepted for numeric keys.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProviderConfig {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String provider;
  private final String path;
  private final Map<String, Object> values;

  private ProviderConfig(String provider, String path, Map<String, ?> values) {
    this.provider = provider;
    this.path = path;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** A configuration for {@code provider} rooted at {@code $.providers.<provider>}. */
  public static ProviderConfig of(String provider, Map<String, ?> values) {
    return new ProviderConfig(provider, "$.providers." + provider, values);
  }

  /** A configuration rooted at an explicit JSON path (where it sits in the user's file). */
  public static ProviderConfig of(String provider, String path, Map<String, ?> values) {
    return new ProviderConfig(provider, path, values);
  }

  /** An empty configuration. */
  public static ProviderConfig empty(String provider) {
    return of(provider, Map.of());
  }

  /** The provider's name. */
  public String provider() {
    return provider;
  }

  /** The JSON path of this configuration. */
  public String path() {
    return path;
  }

  /** The keys present. */
  public Set<String> keys() {
    return values.keySet();
  }

  /** The raw values. */
  public Map<String, Object> asMap() {
    return values;
  }

  /** Whether a key is present with a non-null value. */
  public boolean has(String key) {
    return values.get(key) != null;
  }

  /** The JSON path of a key. */
  public String pathOf(String key) {
    return path + "." + key;
  }

  /** A string value, or null if absent. Non-string scalars are converted with {@code toString}. */
  public @Nullable String getString(String key) {
    Object v = values.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Map || v instanceof List) {
      throw wrong(key, v, "a string");
    }
    return v.toString();
  }

  /** A string value, or {@code defaultValue} if absent. */
  public String getString(String key, String defaultValue) {
    String s = getString(key);
    return s == null ? defaultValue : s;
  }

  /** A required string value. */
  public String requireString(String key) {
    String s = getString(key);
    if (s == null || s.isBlank()) {
      throw missing(key, "a string");
    }
    return s;
  }

  /** An int value, or {@code defaultValue} if absent. */
  public int getInt(String key, int defaultValue) {
    Object v = values.get(key);
    return v == null ? defaultValue : toInt(key, v);
  }

  /** A required int value. */
  public int requireInt(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw missing(key, "an integer");
    }
    return toInt(key, v);
  }

  /** A long value, or {@code defaultValue} if absent. */
  public long getLong(String key, long defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n && n.doubleValue() == n.longValue()) {
      return n.longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw wrong(key, v, "an integer");
    }
  }

  /** A double value, or {@code defaultValue} if absent. */
  public double getDouble(String key, double defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw wrong(key, v, "a number");
    }
  }

  /** A boolean value, or {@code defaultValue} if absent; accepts true/false in any case. */
  public boolean getBoolean(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw wrong(key, v, "true or false");
  }

  /** A duration value, or {@code defaultValue} if absent. */
  public Duration getDuration(String key, Duration defaultValue) {
    Object v = values.get(key);
    return v == null ? defaultValue : parseDuration(key, v);
  }

  /** A required duration value. */
  public Duration requireDuration(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw missing(key, "a duration such as 30s");
    }
    return parseDuration(key, v);
  }

  /** A list of strings; a single string counts as a list of one; empty if absent. */
  public List<String> getStringList(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        Object e = l.get(i);
        if (e == null || e instanceof Map || e instanceof List) {
          throw new InvalidSpecException(pathOf(key) + "[" + i + "]",
              "provider '" + provider + "': expected a string, found " + describe(e), "write a plain string");
        }
        out.add(e.toString());
      }
      return List.copyOf(out);
    }
    if (v instanceof Map) {
      throw wrong(key, v, "a list of strings");
    }
    return List.of(v.toString());
  }

  /** A nested configuration; empty if absent. */
  public ProviderConfig getConfig(String key) {
    Object v = values.get(key);
    if (v == null) {
      return new ProviderConfig(provider, pathOf(key), Map.of());
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw wrong(key, v, "an object");
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    m.forEach((k, val) -> copy.put(String.valueOf(k), val));
    return new ProviderConfig(provider, pathOf(key), copy);
  }

  /**
   * Fails if a key is present that is not in {@code known}: almost always a typo that would otherwise
   * be silently ignored.
   */
  public ProviderConfig requireOnly(Set<String> known) {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        v.add(new InvalidSpecException.Violation(pathOf(k), "provider '" + provider + "' has no setting '" + k + "'",
            "remove it or use one of " + new TreeSet<>(known)));
      }
    }
    if (!v.isEmpty()) {
      throw new InvalidSpecException(v);
    }
    return this;
  }

  private int toInt(String key, Object v) {
    long l = getLong(key, 0);
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw wrong(key, v, "an integer within int range");
    }
    return (int) l;
  }

  private Duration parseDuration(String key, Object v) {
    if (v instanceof Duration d) {
      return d;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    if (s.startsWith("p")) {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw wrong(key, v, "a duration such as 30s, 5m or PT30S");
      }
    }
    Matcher m = DURATION_PART.matcher(s);
    Duration total = Duration.ZERO;
    int pos = 0;
    try {
      while (m.find() && m.start() == pos) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
        pos = m.end();
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw wrong(key, v, "a duration that fits in a java.time.Duration, such as 30s or 5m");
    }
    if (pos == 0 || pos != s.length()) {
      throw wrong(key, v, "a duration such as 250ms, 30s, 5m, 1h or 1m30s (a unit is required)");
    }
    return total;
  }

  private InvalidSpecException missing(String key, String expected) {
    return new InvalidSpecException(pathOf(key), "provider '" + provider + "' requires '" + key + "', which is missing",
        "set '" + key + "' to " + expected);
  }

  private InvalidSpecException wrong(String key, Object v, String expected) {
    return new InvalidSpecException(pathOf(key), "provider '" + provider + "': expected " + expected + ", found "
        + describe(v), "set '" + key + "' to " + expected);
  }

  private static String describe(@Nullable Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "a list";
    }
    return "'" + v + "'";
  }

  @Override
  public String toString() {
    // Values are not printed: they may hold credentials.
    return "ProviderConfig{" + provider + " at " + path + ", keys=" + values.keySet() + "}";
  }
}
