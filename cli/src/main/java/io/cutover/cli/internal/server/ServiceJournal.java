// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One service's view of the server's shared journal. The server runs one engine per service (each
 * spec names its own fleet and router), and an engine recovers every open rollout it replays: it
 * must replay only its own service's records, or it would continue another service's rollout on the
 * wrong fleet. Appends, reads by rollout and leases go to the shared journal unchanged; closing the
 * view leaves the shared journal open (the server closes it last).
 */
class ServiceJournal implements Journal {
  final Journal shared;
  final String service;

  ServiceJournal(Journal shared, String service) {
    this.shared = shared;
    this.service = service;
  }

  @Override
  public JournalRecord append(JournalRecord record) {
    return shared.append(record);
  }

  @Override
  public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
    shared.replay(
        fromSequence,
        r -> {
          if (r.service().equals(service)) {
            consumer.accept(r);
          }
        });
  }

  @Override
  public List<JournalRecord> records(String rolloutId) {
    return shared.records(rolloutId);
  }

  @Override
  public boolean tryLease(String service, String rolloutId) {
    return shared.tryLease(service, rolloutId);
  }

  @Override
  public Optional<String> leaseHolder(String service) {
    return shared.leaseHolder(service);
  }

  @Override
  public Optional<String> leaseHolderReplica(String service) {
    return shared.leaseHolderReplica(service);
  }

  @Override
  public void releaseLease(String service, String rolloutId) {
    shared.releaseLease(service, rolloutId);
  }

  @Override
  public void close() {
    // The shared journal outlives every engine.
  }

  @Override
  public String toString() {
    return "ServiceJournal[" + service + " of " + shared + "]";
  }
}
