// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.spi.Journal;
import io.cutover.testkit.contract.JournalContract;
import org.junit.jupiter.api.DisplayName;

/**
 * The PostgreSQL journal passes the {@link JournalContract} against a real PostgreSQL 15 (the test
 * fixture's private server), durability across reopening included: reopening connects a new pool to
 * the same schema.
 */
@DisplayName("PostgresJournal passes the Journal contract")
class PostgresJournalContractTest extends JournalContract {
  private static final String SCHEMA = SharedPostgres.freshSchema("contract");

  @Override
  protected Journal createJournal() {
    return SharedPostgres.journal(SharedPostgres.server(), SCHEMA, "contract").open();
  }

  @Override
  protected Journal reopen(Journal closed) {
    return createJournal();
  }
}
