// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The identity of an externalized configuration snapshot: the SHA-256 of its canonical JSON form.
 *
 * <p>Configuration is part of a release, so a configuration change is a new release and a rollback
 * restores the configuration too. Secrets never enter the snapshot as values; a secret is a
 * reference of the form {@code ${secret:NAME}}, resolved by the fleet at launch. A literal is
 * refused (the message names the key and why, never the value) when
 *
 * <ul>
 *   <li>the key looks secret ({@link #isSecretKey}: it contains password, passwd, secret, token,
 *       credential, apikey, api_key, api-key, private_key, passphrase or authorization, or ends in
 *       key, pwd or auth),
 *   <li>the key is marked secret by the caller ({@link #of(Map, Set)}), or
 *   <li>the value looks secret whatever its key ({@link #looksLikeSecret}: a URL with user-info, a
 *       PEM private key, a JSON Web Token, or a well-known token format such as an AWS access key
 *       id or a GitHub, Slack, Stripe or Google API token).
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param digest the SHA-256 digest of the canonical JSON snapshot
 */
public record ConfigRef(Digest digest) {
  private static final Pattern SECRET_KEY =
      Pattern.compile(
          ".*(password|passwd|secret|token|credential|apikey|api_key|api-key|private_key|passphrase"
              + "|authorization).*|.*(key|pwd|auth)$");
  private static final Pattern SECRET_REF = Pattern.compile("^\\$\\{secret:[A-Za-z0-9_./-]+}$");

  /** Value patterns, each with what it is called in a message (the value is never shown). */
  private static final List<Map.Entry<String, Pattern>> SECRET_VALUES =
      List.of(
          Map.entry(
              "a URL with user-info (user:password@)",
              Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^/?#\\s@]+@")),
          Map.entry(
              "a PEM private key", Pattern.compile("-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----")),
          Map.entry(
              "a JSON Web Token",
              Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*")),
          Map.entry("an AWS access key id", Pattern.compile("\\b(AKIA|ASIA)[0-9A-Z]{16}\\b")),
          Map.entry(
              "a GitHub token",
              Pattern.compile("\\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
          Map.entry("a Slack token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}")),
          Map.entry("a Stripe key", Pattern.compile("\\b[sr]k_live_[A-Za-z0-9]{10,}")),
          Map.entry("a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}")));

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
    return of(config, Set.of());
  }

  /**
   * The reference of a flat key/value configuration in which the keys {@code secretKeys} are secret
   * whatever their names: each must hold a {@code ${secret:NAME}} reference. A key listed but
   * absent is fine (the set may be a project-wide list). The digest does not depend on {@code
   * secretKeys}.
   *
   * @throws InvalidSpecException listing every key that holds a literal secret
   */
  public static ConfigRef of(Map<String, String> config, Set<String> secretKeys) {
    return new ConfigRef(Digest.sha256(canonicalJson(config, secretKeys)));
  }

  /**
   * The canonical JSON of a flat configuration: keys sorted by UTF-16 code unit (as in RFC 8785,
   * the JSON Canonicalization Scheme, so other languages can reproduce the digest), no whitespace,
   * strings escaped minimally. Two equal maps always give byte-identical output.
   *
   * @throws InvalidSpecException listing every key that holds a literal secret
   */
  public static String canonicalJson(Map<String, String> config) {
    return canonicalJson(config, Set.of());
  }

  /**
   * As {@link #canonicalJson(Map)}, with {@code secretKeys} marked secret as in {@link #of(Map,
   * Set)}.
   *
   * @throws InvalidSpecException listing every key that holds a literal secret
   */
  public static String canonicalJson(Map<String, String> config, Set<String> secretKeys) {
    Check.notNull(secretKeys, "config.secretKeys");
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
          if (SECRET_REF.matcher(v).matches()) {
            sorted.put(k, v);
            return;
          }
          String why =
              secretKeys.contains(k)
                  ? "is marked secret"
                  : isSecretKey(k) ? "looks like a secret" : secretKind(v);
          if (why != null) {
            violations.add(
                new InvalidSpecException.Violation(
                    path,
                    why.startsWith("a ") || why.startsWith("an ")
                        ? "holds what looks like " + why + " as a literal value (not shown)"
                        : why + " but holds a literal value (not shown)",
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

  /**
   * Whether a value looks like a secret whatever its key: a URL with user-info, a PEM private key,
   * a JSON Web Token, or a well-known token format (see the class comment).
   */
  public static boolean looksLikeSecret(String value) {
    return secretKind(value) != null;
  }

  private static @Nullable String secretKind(String value) {
    for (Map.Entry<String, Pattern> e : SECRET_VALUES) {
      if (e.getValue().matcher(value).find()) {
        return e.getKey();
      }
    }
    return null;
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
