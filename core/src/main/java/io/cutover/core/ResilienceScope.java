// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import java.util.Locale;

/**
 * Which provider calls a {@link ResiliencePolicy} applies to, in {@link
 * Cutover.Builder#resilience}. A scope without its own policy uses {@link #DEFAULT}'s, or {@link
 * ResiliencePolicy#DEFAULT} when that is unset too.
 */
public enum ResilienceScope {
  /** Every provider kind that has no policy of its own. */
  DEFAULT,
  /** Fleet calls: launch, scale, drain, retire. */
  FLEET,
  /** Router calls: apply and read back a traffic split. */
  ROUTER,
  /**
   * Health gate evaluations; always one attempt each (a gate's verdicts are counted by its verify
   * step).
   */
  GATES;

  /**
   * The scope named {@code default}, {@code fleet}, {@code router} or {@code gates} (as in
   * configuration files).
   *
   * @throws InvalidSpecException naming {@code resilience.<name>} for any other name
   */
  public static ResilienceScope parse(String name) {
    for (ResilienceScope s : values()) {
      if (s.name().toLowerCase(Locale.ROOT).equals(name)) {
        return s;
      }
    }
    throw new InvalidSpecException(
        "resilience." + name, "is not a provider kind", "use fleet, router, gates or default");
  }
}
