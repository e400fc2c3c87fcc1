// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.provider;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.ProviderConfig;
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
 * The {@link ProviderConfig} behind {@code ProviderConfigs}: a copy of a map with the path it sits
 * at. Error messages name the provider and the JSON path, as the interface promises, and describe a
 * wrong value by its type and length, never by its content (it may be a credential). Immutable and
 * thread-safe.
 */
public final class MapProviderConfig implements ProviderConfig {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String provider;
  private final String path;
  private final Map<String, Object> values;

  private MapProviderConfig(String provider, String path, Map<String, ?> values) {
    this.provider = provider;
    this.path = path;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** A configuration rooted at {@code path} (where it sits in the user's file). */
  public static MapProviderConfig of(String provider, String path, Map<String, ?> values) {
    return new MapProviderConfig(provider, path, values);
  }

  /** The provider's name. */
  @Override
  public String provider() {
    return provider;
  }

  /** The JSON path of this configuration. */
  @Override
  public String path() {
    return path;
  }

  /** The keys present. */
  @Override
  public Set<String> keys() {
    return values.keySet();
  }

  /** The raw values. */
  @Override
  public Map<String, Object> asMap() {
    return values;
  }

  /** Whether a key is present with a non-null value. */
  @Override
  public boolean has(String key) {
    return values.get(key) != null;
  }

  /** The JSON path of a key. */
  @Override
  public String pathOf(String key) {
    return path + "." + key;
  }

  /** A string value, or null if absent. Non-string scalars are converted with {@code toString}. */
  @Override
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
  @Override
  public String getString(String key, String defaultValue) {
    String s = getString(key);
    return s == null ? defaultValue : s;
  }

  /** A required string value. */
  @Override
  public String requireString(String key) {
    String s = getString(key);
    if (s == null || s.isBlank()) {
      throw missing(key, "a string");
    }
    return s;
  }

  /** An int value, or {@code defaultValue} if absent. */
  @Override
  public int getInt(String key, int defaultValue) {
    Object v = values.get(key);
    return v == null ? defaultValue : toInt(key, v);
  }

  /** A required int value. */
  @Override
  public int requireInt(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw missing(key, "an integer");
    }
    return toInt(key, v);
  }

  /** A long value, or {@code defaultValue} if absent. */
  @Override
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
  @Override
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
  @Override
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
  @Override
  public Duration getDuration(String key, Duration defaultValue) {
    Object v = values.get(key);
    return v == null ? defaultValue : parseDuration(key, v);
  }

  /** A required duration value. */
  @Override
  public Duration requireDuration(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw missing(key, "a duration such as 30s");
    }
    return parseDuration(key, v);
  }

  /** A list of strings; a single string counts as a list of one; empty if absent. */
  @Override
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
          throw new InvalidSpecException(
              pathOf(key) + "[" + i + "]",
              "provider '" + provider + "': expected a string, found " + describe(e),
              "write a plain string");
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
  @Override
  public ProviderConfig getConfig(String key) {
    Object v = values.get(key);
    if (v == null) {
      return new MapProviderConfig(provider, pathOf(key), Map.of());
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw wrong(key, v, "an object");
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    m.forEach((k, val) -> copy.put(String.valueOf(k), val));
    return new MapProviderConfig(provider, pathOf(key), copy);
  }

  /**
   * Fails if a key is present that is not in {@code known}: almost always a typo that would
   * otherwise be silently ignored.
   */
  @Override
  public ProviderConfig requireOnly(Set<String> known) {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        v.add(
            new InvalidSpecException.Violation(
                pathOf(k),
                "provider '" + provider + "' has no setting '" + k + "'",
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
        total =
            total.plus(
                switch (m.group(2)) {
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
    return new InvalidSpecException(
        pathOf(key),
        "provider '" + provider + "' requires '" + key + "', which is missing",
        "set '" + key + "' to " + expected);
  }

  private InvalidSpecException wrong(String key, Object v, String expected) {
    return new InvalidSpecException(
        pathOf(key),
        "provider '" + provider + "': expected " + expected + ", found " + describe(v),
        "set '" + key + "' to " + expected);
  }

  /**
   * What was found, by type and size only: the value itself is never quoted, because a credential
   * written under the wrong key (or with the wrong type) would otherwise land in an exception, and
   * from there in journal records, spans and reports.
   */
  private static String describe(@Nullable Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map<?, ?> m) {
      return "an object with " + m.size() + (m.size() == 1 ? " key" : " keys");
    }
    if (v instanceof List<?> l) {
      return "a list of " + l.size() + (l.size() == 1 ? " element" : " elements");
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Number) {
      return "a number (value not shown)";
    }
    String s = v.toString();
    return "a string of "
        + s.length()
        + (s.length() == 1 ? " character" : " characters")
        + " (value not shown)";
  }

  @Override
  public String toString() {
    // Values are not printed: they may hold credentials.
    return "ProviderConfig{" + provider + " at " + path + ", keys=" + values.keySet() + "}";
  }
}
