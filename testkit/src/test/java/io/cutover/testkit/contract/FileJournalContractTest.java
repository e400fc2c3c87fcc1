// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.spi.Journal;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file journal passes the {@link JournalContract}, durability tests included. OS_BUFFERED keeps
 * the 8 000 concurrent appends fast; FSYNC differs only in when appends are acknowledged (core's
 * own tests cover group commit under FSYNC).
 */
@DisplayName("FileJournal passes the Journal contract")
class FileJournalContractTest extends JournalContract {
  @TempDir Path dir;

  @Override
  protected Journal createJournal() {
    return FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open();
  }

  @Override
  protected Journal reopen(Journal closed) {
    return createJournal();
  }
}
