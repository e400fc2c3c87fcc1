// SPDX-License-Identifier: Apache-2.0
package io.cutover.security;

import java.nio.file.Path;

/** Where slf4j-simple writes every log line of this module's test run (set in the pom). */
final class Logs {
  private Logs() {}

  static Path file() {
    String f = System.getProperty("org.slf4j.simpleLogger.logFile");
    if (f == null || f.equals("System.err") || f.equals("System.out")) {
      throw new IllegalStateException(
          "org.slf4j.simpleLogger.logFile is not a file: run the tests through Maven (see the pom)");
    }
    return Path.of(f);
  }
}
