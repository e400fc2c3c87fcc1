// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import java.util.Objects;

/**
 * One problem in a spec file: where (file, 1-based line and column, JSON path), what is wrong, and
 * how to fix it. Line and column are 0 when the position is unknown (a spec built from a tree
 * rather than text); they then point at the nearest enclosing node otherwise.
 *
 * <p>Immutable and thread-safe. Never holds a configuration value that could be a secret: values
 * are quoted only for the spec's own fields (weights, durations, names).
 *
 * @param file the file name as given to the parser (e.g. {@code cutover.yaml})
 * @param line 1-based line, 0 if unknown
 * @param column 1-based column, 0 if unknown
 * @param path the JSON path, e.g. {@code $.strategy.canary.steps[2].setWeight}
 * @param problem what is wrong
 * @param fix how to correct it
 */
public record SpecProblem(
    String file, int line, int column, String path, String problem, String fix) {

  /** Checks that every part is present. */
  public SpecProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(fix, "fix");
  }

  /** {@code file:line:column}, or just the file when the position is unknown. */
  public String location() {
    return line > 0 ? file + ":" + line + ":" + column : file;
  }

  /** {@code cutover.yaml:12:7: $.replicas: is 0 (fix: run at least 1 replica)}. */
  @Override
  public String toString() {
    return location() + ": " + path + ": " + problem + " (fix: " + fix + ")";
  }
}
