// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import io.cutover.spi.JournalRecord;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.SharedJournal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One service's view of a journal shared by server replicas (PostgreSQL): a {@link SharedJournal}
 * too, so that the service's engine runs in replica mode (fenced appends, takeover, commands to the
 * owning replica, the stable release other replicas left). The replica journal accepts one attached
 * engine while a server runs one per service, so {@link #attach} registers the engine with the
 * server's {@link ReplicaDispatcher}, which is the one attached to the journal.
 */
final class SharedServiceJournal extends ServiceJournal implements SharedJournal {
  private final SharedJournal journal;
  private final ReplicaDispatcher dispatcher;

  SharedServiceJournal(SharedJournal journal, String service, ReplicaDispatcher dispatcher) {
    super(journal, service);
    this.journal = journal;
    this.dispatcher = dispatcher;
  }

  @Override
  public String replica() {
    return journal.replica();
  }

  @Override
  public void attach(ReplicaEngine engine) {
    dispatcher.register(service, engine);
  }

  @Override
  public CompletableFuture<Void> sendCommand(
      String rolloutId, String command, @Nullable String argument) {
    return journal.sendCommand(rolloutId, command, argument);
  }

  @Override
  public List<JournalRecord> endedSince(String service, long afterSequence) {
    return journal.endedSince(service, afterSequence);
  }

  @Override
  public String toString() {
    return "SharedServiceJournal[" + service + " of " + journal + "]";
  }
}
