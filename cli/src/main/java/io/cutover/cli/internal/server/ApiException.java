// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import java.util.List;

/** A request the API refuses, with its HTTP status and the problems, one line each. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final List<String> problems;

  ApiException(int status, String message) {
    this(status, message, List.of());
  }

  ApiException(int status, String message, List<String> problems) {
    super(message);
    this.status = status;
    this.problems = List.copyOf(problems);
  }

  int status() {
    return status;
  }

  List<String> problems() {
    return problems;
  }
}
