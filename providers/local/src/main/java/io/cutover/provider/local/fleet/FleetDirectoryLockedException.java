// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.CutoverException;
import java.nio.file.Path;

/**
 * A {@link LocalProcessFleet} work directory is already in use, by another process or by another
 * fleet in this JVM. Two fleets over one directory would both adopt the same instances and restart,
 * stop or relaunch them behind each other's back, so the second one is refused before it reads or
 * writes anything there.
 */
public class FleetDirectoryLockedException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final transient Path directory;
  private final String holder;

  /**
   * @param directory the work directory
   * @param holder who holds it, as far as known (e.g. {@code pid 4711} or {@code another
   *     LocalProcessFleet in this JVM})
   */
  public FleetDirectoryLockedException(Path directory, String holder) {
    super(
        "fleet work directory "
            + directory
            + " is already in use (held by "
            + holder
            + "). Fix: close the other engine or LocalProcessFleet over it first, or give this"
            + " fleet its own work directory");
    this.directory = directory;
    this.holder = holder;
  }

  /** The work directory. */
  public Path directory() {
    return directory;
  }

  /** Who holds the directory, as far as known. */
  public String holder() {
    return holder;
  }
}
