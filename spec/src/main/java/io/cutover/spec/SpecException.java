// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.api.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec that cannot be accepted, with every problem found in one pass ({@link #problems()}), each
 * with file, line, column and JSON path. As an {@link InvalidSpecException}, its {@link
 * #violations()} carry the same JSON paths, so code that handles the core's validation errors
 * handles these too.
 *
 * <p>The message lists every problem, one per line, as {@code file:line:column: path: problem (fix:
 * ...)}.
 */
public final class SpecException extends InvalidSpecException {
  private static final long serialVersionUID = 1L;

  private final transient List<SpecProblem> problems;

  /** Problems found in one pass; must not be empty. */
  public SpecException(List<SpecProblem> problems) {
    super(violations(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in document order. Never empty. */
  public List<SpecProblem> problems() {
    return problems;
  }

  @Override
  public String getMessage() {
    if (problems.size() == 1) {
      return "invalid spec: " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder("invalid spec, " + problems.size() + " problems:");
    for (SpecProblem p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }

  private static List<Violation> violations(List<SpecProblem> problems) {
    List<Violation> out = new ArrayList<>();
    for (SpecProblem p : problems) {
      out.add(new Violation(p.path(), p.problem(), p.fix()));
    }
    return out;
  }
}
