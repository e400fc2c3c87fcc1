// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

/**
 * Makes text from an artifact safe to put into an error message or a log line: control characters
 * are escaped (no forged log lines, no terminal escapes) and long text is cut.
 */
final class Printable {
  private static final int MAX = 200;

  private Printable() {}

  static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < MAX; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.length() >= MAX ? sb + "..." : sb.toString();
  }
}
