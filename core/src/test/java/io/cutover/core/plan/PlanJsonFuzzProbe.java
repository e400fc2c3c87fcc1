// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.plan;

import io.cutover.api.Release;
import java.util.List;

/** The seeds of {@link PlanJsonFuzzTest}, for the fuzz properties of other packages. */
public final class PlanJsonFuzzProbe {
  private PlanJsonFuzzProbe() {}

  /** Valid plan documents. */
  public static List<String> seeds() {
    return PlanJsonFuzzTest.plans().stream().map(PlanJson::toJson).toList();
  }

  /** The stable release of the seeds. */
  public static Release stable() {
    return PlanJsonFuzzTest.STABLE;
  }
}
