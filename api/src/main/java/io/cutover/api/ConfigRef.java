// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The identity of an externalized configuration snapshot: the SHA-256 of its canonical JSON form.
 *
 * <p>Configuration is part of a release, so a configuration change is a new release and a rollback
 * restores the configuration too. Secrets never enter the snapshot as values: a value under a
 * secret-looking key (containing password, passwd, secret, token, credential, apikey, api_key, or
 * ending in key) must be a reference of the form {@code ${secret:NAME}}, resolved by the fleet at
 * launch. Instances are immutable and thread-safe.
 *
 * @param digest the SHA-256 digest of the canonical JSON snapshot
 */
public record ConfigRef(Digest digest) {
  private static final Pattern SECRET_KEY =
      Pattern.compile(
          ".*(password|passwd|secret|token|credential|apikey|api_key|private_key).*|.*key$");
  private static final Pattern SECRET_REF = Pattern.compile("^\\$\\{secret:[A-Za-z0-9_./-]+}$");

  /** The configuration of a release that has none: the digest of {@code {}}. */
  public static final ConfigRef EMPTY = of(Map.of());

  /** Validates the digest. */
  public ConfigRef {
    Check.notNull(digest, "config.digest");
  }

  /**
   * The reference of a flat key/value configuration.
   *
   * @throws InvalidSpecException listing every key that holds a literal secret
   */
  public static ConfigRef of(Map<String, String> config) {
    return new ConfigRef(Digest.sha256(canonicalJson(config)));
  }

  /**
   * The canonical JSON of a flat configuration: keys sorted by UTF-16 code unit (as in RFC 8785,
   * the JSON Canonicalization Scheme, so other languages can reproduce the digest), no whitespace,
   * strings escaped minimally. Two equal maps always give byte-identical output.
   *
   * @throws InvalidSpecException listing every key that holds a literal secret
   */
  public static String canonicalJson(Map<String, String> config) {
    SortedMap<String, String> sorted = new TreeMap<>();
    List<InvalidSpecException.Violation> violations = new ArrayList<>();
    config.forEach(
        (k, v) -> {
          String path = "config." + k;
          if (k == null || k.isBlank()) {
            violations.add(
                new InvalidSpecException.Violation(
                    "config", "has a blank key", "remove the blank key"));
            return;
          }
          if (v == null) {
            violations.add(
                new InvalidSpecException.Violation(
                    path, "has no value", "give it a value or remove it"));
            return;
          }
          if (isSecretKey(k) && !SECRET_REF.matcher(v).matches()) {
            violations.add(
                new InvalidSpecException.Violation(
                    path,
                    "looks like a secret but holds a literal value (not shown)",
                    "store the value in your secret store and write ${secret:NAME} here"));
            return;
          }
          sorted.put(k, v);
        });
    if (!violations.isEmpty()) {
      throw new InvalidSpecException(violations);
    }
    StringBuilder sb = new StringBuilder("{");
    sorted.forEach(
        (k, v) -> {
          if (sb.length() > 1) {
            sb.append(',');
          }
          quote(sb, k).append(':');
          quote(sb, v);
        });
    return sb.append('}').toString();
  }

  /** Whether a key's name marks its value as a secret. */
  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  @Override
  public String toString() {
    return "config@" + digest;
  }
}
