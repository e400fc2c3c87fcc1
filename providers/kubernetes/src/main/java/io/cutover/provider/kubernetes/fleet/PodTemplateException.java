// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.InvalidSpecException;
import java.util.List;

/**
 * A user-supplied pod template that Cutover cannot use as the base of its pods: it sets something
 * Cutover owns (the application container's image, a {@code cutover.io/} label or annotation, the
 * pod's name), pins a sidecar by tag, or is not a pod template at all. The path names the
 * configuration key the template came from ({@code podTemplate}, {@code podTemplateFile} or {@code
 * podTemplateConfigMap}); the problem names the field inside the template, and the fix says what to
 * change. Thrown when the fleet is created, before anything is written to the cluster. See {@link
 * PodTemplate} for every rule.
 */
public final class PodTemplateException extends InvalidSpecException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused template.
   *
   * @param key the JSON path of the configuration key holding the template
   * @param problem what is wrong, naming the field inside the template
   * @param fix how to change the template
   */
  public PodTemplateException(String key, String problem, String fix) {
    super(key, problem, fix);
  }

  /** A template with several problems, all found in one pass; must not be empty. */
  public PodTemplateException(List<Violation> problems) {
    super(problems);
  }
}
