// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import org.jspecify.annotations.Nullable;

/**
 * A cookie match written as a regular expression over the {@code Cookie} header, and read back:
 * {@code (^|;\s*)NAME=VALUE(;|$)} with the regular-expression metacharacters of name and value
 * escaped with a backslash (RE2, which Envoy uses, has no {@code \Q...\E} quoting).
 */
final class CookieRegex {
  private static final String PREFIX = "(^|;\\s*)";
  private static final String SUFFIX = "(;|$)";
  private static final String META = "\\.^$|?*+()[]{}";

  private CookieRegex() {}

  static String of(String name, String value) {
    return PREFIX + escape(name) + "=" + escape(value) + SUFFIX;
  }

  /** {@code [name, value]}, or null if {@code regex} is not one {@link #of} wrote. */
  static String @Nullable [] parse(@Nullable String regex) {
    if (regex == null || !regex.startsWith(PREFIX) || !regex.endsWith(SUFFIX)) {
      return null;
    }
    String body = regex.substring(PREFIX.length(), regex.length() - SUFFIX.length());
    StringBuilder name = new StringBuilder();
    StringBuilder value = new StringBuilder();
    StringBuilder into = name;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        into.append(body.charAt(++i));
      } else if (c == '=' && into == name) {
        into = value;
      } else if (META.indexOf(c) >= 0) {
        return null;
      } else {
        into.append(c);
      }
    }
    return into == value ? new String[] {name.toString(), value.toString()} : null;
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (META.indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
