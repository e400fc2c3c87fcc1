// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.ArtifactRef;
import io.cutover.api.VerificationException;
import java.util.List;

/**
 * Decides whether an artifact may be deployed: signatures, provenance, allowed registries, age,
 * labels. The engine calls it before the first side effect of every rollout and journals the
 * evidence it returns as the audit record of what was checked.
 *
 * <p><b>Threading.</b> Safe for concurrent use; may block (it usually reads from the store).
 *
 * <p><b>Errors.</b> {@link VerificationException} listing every failed check; the rollout never
 * starts.
 */
@FunctionalInterface
public interface ArtifactVerifier {

  /** Accepts everything and says so in its evidence. */
  ArtifactVerifier NONE =
      (ref, store) -> List.of("no verification policy configured: " + ref + " accepted unchecked");

  /**
   * Verifies an artifact.
   *
   * @param ref the artifact to deploy
   * @param store where to read its description, signatures and attestations
   * @return evidence: one line per check performed, naming what was checked against what (keys,
   *     builder ids)
   * @throws VerificationException if any check fails
   */
  List<String> verify(ArtifactRef ref, ArtifactStore store);
}
