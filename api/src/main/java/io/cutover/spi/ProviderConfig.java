// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A typed, read-only view of one provider's configuration (from YAML, JSON or code), handed to
 * {@link ProviderFactory#create}.
 *
 * <p>An interface, as OpenTelemetry's {@code ConfigProperties}: the implementation lives in {@code
 * cutover-core} ({@code io.cutover.core.ProviderConfigs.of(provider, map)} creates one, e.g. in a
 * provider's tests), so getters can be added here later without breaking anyone. Provider
 * implementations only read it.
 *
 * <p><b>Errors.</b> Every getter that finds a problem throws {@link InvalidSpecException} naming
 * the provider and the JSON path of the key ({@link #pathOf}), what was found, and how to fix it: a
 * missing required key, a value of the wrong type, a malformed duration, or (with {@link
 * #requireOnly}) a key the provider does not know, which is usually a typo.
 *
 * <p><b>Values.</b> Durations accept {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code
 * 1d}, combinations such as {@code 1m30s}, and ISO-8601 ({@code PT30S}). Numbers given as strings
 * are accepted for numeric keys. Neither {@code toString()} nor an error message ever prints a
 * value: it may be a credential written under the wrong key; messages describe a wrong value by its
 * type and length.
 *
 * <p><b>Threading.</b> Implementations are immutable and thread-safe.
 */
public interface ProviderConfig {

  /** The provider's name, as used in error messages. */
  String provider();

  /** The JSON path of this configuration, e.g. {@code $.providers.haproxy}. */
  String path();

  /** The keys present, in their original order. */
  Set<String> keys();

  /** The raw values, unmodifiable. */
  Map<String, Object> asMap();

  /** Whether a key is present with a non-null value. */
  boolean has(String key);

  /** The JSON path of a key: {@link #path()} + {@code "." + key}. */
  String pathOf(String key);

  /**
   * A string value, or null if absent. Non-string scalars are converted with {@code toString}.
   *
   * @throws InvalidSpecException if the value is an object or a list
   */
  @Nullable String getString(String key);

  /**
   * A string value, or {@code defaultValue} if absent.
   *
   * @throws InvalidSpecException if the value is an object or a list
   */
  String getString(String key, String defaultValue);

  /**
   * A required, non-blank string value.
   *
   * @throws InvalidSpecException if it is missing, blank, an object or a list
   */
  String requireString(String key);

  /**
   * An int value, or {@code defaultValue} if absent.
   *
   * @throws InvalidSpecException if the value is not an integer within int range
   */
  int getInt(String key, int defaultValue);

  /**
   * A required int value.
   *
   * @throws InvalidSpecException if it is missing or not an integer within int range
   */
  int requireInt(String key);

  /**
   * A long value, or {@code defaultValue} if absent.
   *
   * @throws InvalidSpecException if the value is not an integer
   */
  long getLong(String key, long defaultValue);

  /**
   * A double value, or {@code defaultValue} if absent.
   *
   * @throws InvalidSpecException if the value is not a number
   */
  double getDouble(String key, double defaultValue);

  /**
   * A boolean value, or {@code defaultValue} if absent; accepts true/false in any case.
   *
   * @throws InvalidSpecException for anything else
   */
  boolean getBoolean(String key, boolean defaultValue);

  /**
   * A duration value, or {@code defaultValue} if absent.
   *
   * @throws InvalidSpecException if the value is not a duration (see the class comment for the
   *     forms)
   */
  Duration getDuration(String key, Duration defaultValue);

  /**
   * A required duration value.
   *
   * @throws InvalidSpecException if it is missing or not a duration
   */
  Duration requireDuration(String key);

  /**
   * A list of strings; a single string counts as a list of one; empty if absent.
   *
   * @throws InvalidSpecException naming the element ({@code key[i]}) that is not a plain string, or
   *     if the value is an object
   */
  List<String> getStringList(String key);

  /**
   * A nested configuration rooted at {@link #pathOf pathOf(key)}, for the same provider; empty if
   * absent.
   *
   * @throws InvalidSpecException if the value is not an object
   */
  ProviderConfig getConfig(String key);

  /**
   * Fails if a key is present that is not in {@code known}: almost always a typo that would
   * otherwise be silently ignored.
   *
   * @return this configuration, for chaining
   * @throws InvalidSpecException listing every unknown key, each with its path and the known keys
   */
  ProviderConfig requireOnly(Set<String> known);
}
