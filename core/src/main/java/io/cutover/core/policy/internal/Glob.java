// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import io.cutover.api.InvalidSpecException;
import java.util.regex.Pattern;

/**
 * A glob over '/'-separated names: {@code *} matches within one segment, {@code **} across
 * segments, {@code ?} one character of a segment; everything else is literal. Immutable.
 */
public final class Glob {
  private final String text;
  private final Pattern pattern;

  private Glob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  /** Compiles a glob; {@code path} names it in errors. */
  public static Glob of(String text, String path) {
    if (text == null || text.isBlank()) {
      throw new InvalidSpecException(
          path, "is blank", "write a pattern such as registry.example.com/team/**");
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new Glob(text, Pattern.compile(re.toString()));
  }

  /** Whether the whole of {@code s} matches. */
  public boolean matches(String s) {
    return pattern.matcher(s).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
