// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import io.cutover.samples.ExternalProcess;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for a server binary an integration test needs: present, it is returned; missing, the
 * test is skipped with a one-line notice naming the Debian package, except when the environment
 * variable {@code CI} is {@code true} (CI installs every package, see {@code
 * .ci/install-packages}), where the test fails instead, so CI never skips silently.
 */
public final class Binaries {
  private Binaries() {}

  /**
   * The binary {@code name} (on the PATH, in /usr/sbin or /usr/bin), or a skip (a failure under
   * CI).
   *
   * @param debianPackage the package that installs it, named in the notice
   */
  public static Path require(String name, String debianPackage) {
    return require(ExternalProcess.find(name), name, debianPackage);
  }

  /** Like {@link #require(String, String)} for a binary already looked up. */
  public static Path require(Optional<Path> binary, String name, String debianPackage) {
    if (binary.isPresent()) {
      return binary.get();
    }
    String notice =
        name
            + " is not installed: install the Debian package '"
            + debianPackage
            + "' (apt-get install -y "
            + debianPackage
            + ")";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(notice + " -- required because CI=true");
    }
    System.err.println("SKIPPED: " + notice);
    Assumptions.abort(notice);
    throw new AssertionError("unreachable");
  }
}
