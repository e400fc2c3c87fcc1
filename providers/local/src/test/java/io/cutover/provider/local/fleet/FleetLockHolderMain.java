// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.provider.local.store.FilesystemArtifactStore;
import java.nio.file.Path;

/**
 * A child process for the work-directory lock test: opens a fleet over {@code args[0]} (store at
 * {@code args[1]}), says so, and holds it until stdin closes.
 */
public final class FleetLockHolderMain {
  private FleetLockHolderMain() {}

  public static void main(String[] args) throws Exception {
    try (LocalProcessFleet fleet =
        LocalProcessFleet.builder(Path.of(args[0]), FilesystemArtifactStore.open(Path.of(args[1])))
            .build()) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock until the parent closes our stdin
      }
    }
  }
}
