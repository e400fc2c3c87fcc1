package io.cutover.core.journal;

import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** TEMPORARY placeholder until the testkit branch lands. */
public final class InMemoryJournal implements Journal {
  private final List<JournalRecord> records = new ArrayList<>();
  private final Map<String, String> leases = new HashMap<>();

  @Override
  public synchronized JournalRecord append(JournalRecord record) {
    JournalRecord r = record.withSequence(records.size() + 1);
    records.add(r);
    return r;
  }

  @Override
  public synchronized void replay(long fromSequence, Consumer<JournalRecord> consumer) {
    records.stream().filter(r -> r.sequence() >= fromSequence).forEach(consumer);
  }

  @Override
  public synchronized List<JournalRecord> records(String rolloutId) {
    return records.stream().filter(r -> r.rolloutId().equals(rolloutId)).toList();
  }

  @Override
  public synchronized boolean tryLease(String service, String rolloutId) {
    return leases.computeIfAbsent(service, k -> rolloutId).equals(rolloutId);
  }

  @Override
  public synchronized Optional<String> leaseHolder(String service) {
    return Optional.ofNullable(leases.get(service));
  }

  @Override
  public synchronized void releaseLease(String service, String rolloutId) {
    leases.remove(service, rolloutId);
  }

  @Override
  public void close() {}
}
