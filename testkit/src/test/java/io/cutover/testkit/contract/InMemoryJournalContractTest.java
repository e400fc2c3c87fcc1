// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import io.cutover.core.journal.InMemoryJournal;
import io.cutover.spi.Journal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

@DisplayName("InMemoryJournal")
class InMemoryJournalContractTest extends JournalContract {

  @Override
  protected Journal createJournal() {
    return InMemoryJournal.create();
  }

  /**
   * The compacting variant keeps the whole contract too: compaction only touches ended rollouts.
   */
  @Nested
  @DisplayName("compacting ended rollouts")
  class Compacting extends JournalContract {
    @Override
    protected Journal createJournal() {
      return InMemoryJournal.compactingEndedRollouts();
    }
  }
}
