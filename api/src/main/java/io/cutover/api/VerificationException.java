// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.List;

/**
 * An artifact failed verification against a policy (signature, provenance, registry, age, labels).
 * Thrown before the first side effect of a rollout; the rollout never starts.
 */
public class VerificationException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String artifact;
  private final transient List<String> failures;

  /**
   * @param artifact the artifact reference that was checked
   * @param failures one human-readable line per failed check; must not be empty
   */
  public VerificationException(String artifact, List<String> failures) {
    super(
        artifact
            + " failed verification: "
            + String.join("; ", failures)
            + " (fix: deploy an artifact that satisfies the policy, or change the policy deliberately)");
    this.artifact = artifact;
    this.failures = List.copyOf(failures);
  }

  /** The artifact reference that was checked. */
  public String artifact() {
    return artifact;
  }

  /** The failed checks, one line each. */
  public List<String> failures() {
    return failures;
  }
}
