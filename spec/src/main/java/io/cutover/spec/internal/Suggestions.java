// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** "Did you mean" for unknown keys and names: the closest known word by edit distance. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The fix for an unknown word: {@code use 'steps'} when one known word is close (edit distance at
   * most a third of its length, at least 1, case-insensitive), else the list of known words.
   */
  public static String fix(String unknown, Collection<String> known, String what) {
    @Nullable String best = closest(unknown, known);
    if (best != null) {
      return "did you mean '" + best + "'? (known " + what + ": " + new TreeSet<>(known) + ")";
    }
    return known.isEmpty()
        ? "remove it"
        : "remove it or use one of the known " + what + ": " + new TreeSet<>(known);
  }

  /** The closest known word, or null if none is close. */
  public static @Nullable String closest(String unknown, Collection<String> known) {
    String u = unknown.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : new TreeSet<>(known)) {
      int d = distance(u, k.toLowerCase(Locale.ROOT));
      int allowed = Math.max(1, k.length() / 3);
      if (d <= allowed && d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance with transpositions counted as one edit (optimal string alignment). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
