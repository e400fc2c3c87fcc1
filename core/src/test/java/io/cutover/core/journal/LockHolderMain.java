// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import java.nio.file.Path;

/** A child process for the lock test: opens a journal, says so, and holds it until stdin closes. */
public final class LockHolderMain {
  private LockHolderMain() {}

  public static void main(String[] args) throws Exception {
    try (FileJournal j =
        FileJournal.builder(Path.of(args[0])).durability(DurabilityMode.OS_BUFFERED).open()) {
      j.append(JournalFiles.state("r-child", 0));
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock until the parent closes our stdin
      }
    }
  }
}
