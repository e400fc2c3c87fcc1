// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import java.util.ArrayList;
import java.util.List;

/** Evidence and failure lines collected by one check. Not thread-safe; one per evaluation. */
public final class Outcome {
  public final List<String> evidence = new ArrayList<>();
  public final List<String> failures = new ArrayList<>();

  public boolean passed() {
    return failures.isEmpty();
  }
}
