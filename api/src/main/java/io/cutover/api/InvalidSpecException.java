// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.List;
import java.util.Objects;

/**
 * Input that cannot be accepted: a value, option, plan or provider configuration that is wrong.
 *
 * <p>Every violation says <em>where</em> (a field name or JSON path such as {@code
 * $.steps[2].weight}), <em>what</em> is wrong, and <em>how</em> to fix it. Validation collects all
 * violations it can find before throwing, and nothing is applied to the world before validation
 * passes.
 */
public class InvalidSpecException extends CutoverException {
  private static final long serialVersionUID = 1L;

  /**
   * One problem in a specification.
   *
   * @param path where: a field name or a JSON path
   * @param problem what is wrong, including the offending value where it is safe to show
   * @param fix how to correct it
   */
  public record Violation(String path, String problem, String fix) {
    /** Validates that all three parts are present. */
    public Violation {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(problem, "problem");
      Objects.requireNonNull(fix, "fix");
    }

    @Override
    public String toString() {
      return path + ": " + problem + " (fix: " + fix + ")";
    }
  }

  private final transient List<Violation> violations;

  /** One violation. */
  public InvalidSpecException(String path, String problem, String fix) {
    this(List.of(new Violation(path, problem, fix)));
  }

  /** Several violations found in one validation pass; must not be empty. */
  public InvalidSpecException(List<Violation> violations) {
    super(render(violations));
    this.violations = List.copyOf(violations);
  }

  /** All violations, in the order they were found. Never empty. */
  public List<Violation> violations() {
    return violations;
  }

  /** The path of the first violation: the place to look first. */
  public String path() {
    return violations.get(0).path();
  }

  private static String render(List<Violation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidSpecException needs at least one violation");
    }
    if (violations.size() == 1) {
      return "invalid " + violations.get(0);
    }
    StringBuilder sb = new StringBuilder(violations.size() + " problems:");
    for (Violation v : violations) {
      sb.append("\n  - ").append(v);
    }
    return sb.toString();
  }
}
