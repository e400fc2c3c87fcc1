// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.SharedJournal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The one {@link ReplicaEngine} a server attaches to a shared journal: it hands each rollout taken
 * over from a dead replica, and each command sent from another replica, to the engine of the
 * rollout's service on this server (the service is in the rollout's first record). A rollout of a
 * service this server has no spec for is not taken over here (another replica that has it will) and
 * its commands are refused. Thread-safe: the journal calls it on its own threads.
 */
final class ReplicaDispatcher implements ReplicaEngine {
  private final SharedJournal journal;
  private final Map<String, ReplicaEngine> engines = new ConcurrentHashMap<>();

  ReplicaDispatcher(SharedJournal journal) {
    this.journal = journal;
  }

  /**
   * The engine of {@code service} from now on (a re-applied spec's new engine replaces the old).
   */
  void register(String service, ReplicaEngine engine) {
    engines.put(service, engine);
  }

  @Override
  public boolean takeOver(String rolloutId) {
    ReplicaEngine e = engineOf(rolloutId);
    return e != null && e.takeOver(rolloutId);
  }

  @Override
  public void command(String rolloutId, String command, @Nullable String argument) {
    ReplicaEngine e = engineOf(rolloutId);
    if (e == null) {
      throw new InvalidSpecException(
          "rolloutId",
          "'" + rolloutId + "' is not a rollout of a service this server replica runs",
          "load the service's spec on this replica, or send the command to the one that runs it");
    }
    e.command(rolloutId, command, argument);
  }

  private @Nullable ReplicaEngine engineOf(String rolloutId) {
    List<JournalRecord> records = journal.records(rolloutId);
    return records.isEmpty() ? null : engines.get(records.get(0).service());
  }
}
