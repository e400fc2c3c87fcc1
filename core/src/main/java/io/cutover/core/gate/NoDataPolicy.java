// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import java.util.Locale;

/**
 * What a gate answers when its metric has no data (an empty result, NaN, an absent series). There
 * is deliberately no "pass" policy: missing data is never evidence that a release is healthy.
 */
public enum NoDataPolicy {
  /**
   * No data is {@link Verdict.Outcome#INCONCLUSIVE}: counts toward {@code inconclusiveLimit}, then
   * pauses.
   */
  INCONCLUSIVE,
  /** No data is {@link Verdict.Outcome#FAIL}: counts toward {@code failureLimit}, then aborts. */
  FAIL;

  /** The verdict outcome this policy gives to missing data. */
  public Verdict.Outcome outcome() {
    return this == FAIL ? Verdict.Outcome.FAIL : Verdict.Outcome.INCONCLUSIVE;
  }

  /**
   * Parses {@code inconclusive} or {@code fail} (any case).
   *
   * @param path the JSON path to name in the error
   * @throws InvalidSpecException for anything else, including {@code pass}
   */
  public static NoDataPolicy parse(String text, String path) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "inconclusive" -> INCONCLUSIVE;
      case "fail" -> FAIL;
      default ->
          throw new InvalidSpecException(
              path,
              "is '" + text + "'" + (t.equals("pass") ? " (no data is never a pass)" : ""),
              "use 'inconclusive' or 'fail'");
    };
  }
}
