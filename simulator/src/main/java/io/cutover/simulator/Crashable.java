// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.spi.Fleet;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine's view of the harness's journal and fakes, through a switch that can "kill the
 * process": after a crash, nothing the old engine does reaches the world any more.
 */
final class Crashable {
  private Crashable() {}

  /** Shared by the wrappers of one harness. */
  static final class CrashSwitch {
    volatile long allowUpToSequence = Long.MAX_VALUE;
    volatile boolean crashed;

    void arm(long lastAllowedSequence) {
      allowUpToSequence = lastAllowedSequence;
    }

    void reset() {
      allowUpToSequence = Long.MAX_VALUE;
      crashed = false;
    }

    void check() {
      if (crashed) {
        throw new EngineCrash("the engine has crashed (simulated)");
      }
    }
  }

  static final class CrashableJournal implements Journal {
    private final InMemoryJournal delegate;
    private final CrashSwitch crash;

    CrashableJournal(InMemoryJournal delegate, CrashSwitch crash) {
      this.delegate = delegate;
      this.crash = crash;
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      crash.check();
      if (delegate.lastSequence() >= crash.allowUpToSequence) {
        crash.crashed = true;
        throw new EngineCrash("simulated crash after journal record " + delegate.lastSequence());
      }
      return delegate.append(record);
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      delegate.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return delegate.records(rolloutId);
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      crash.check();
      return delegate.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return delegate.leaseHolder(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      crash.check();
      delegate.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {
      // the harness owns the journal: a restarted engine reopens the same one
    }
  }

  static final class CrashableFleet implements Fleet {
    private final Fleet delegate;
    private final CrashSwitch crash;

    CrashableFleet(Fleet delegate, CrashSwitch crash) {
      this.delegate = delegate;
      this.crash = crash;
    }

    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      crash.check();
      return delegate.launch(op, release, replicas);
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      crash.check();
      return delegate.scale(op, release, replicas);
    }

    @Override
    public void drain(OperationId op, Release release) {
      crash.check();
      delegate.drain(op, release);
    }

    @Override
    public void retire(OperationId op, Release release) {
      crash.check();
      delegate.retire(op, release);
    }

    @Override
    public void retireInstance(OperationId op, String service, String instanceId) {
      crash.check();
      delegate.retireInstance(op, service, instanceId);
    }

    @Override
    public List<Instance> instances(String service) {
      crash.check();
      return delegate.instances(service);
    }
  }

  static final class CrashableRouter implements Router {
    private final Router delegate;
    private final CrashSwitch crash;

    CrashableRouter(Router delegate, CrashSwitch crash) {
      this.delegate = delegate;
      this.crash = crash;
    }

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      crash.check();
      delegate.apply(op, service, split, backends);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      crash.check();
      return delegate.current(service);
    }
  }

  static final class CrashableGate implements HealthGate {
    private final HealthGate delegate;
    private final CrashSwitch crash;

    CrashableGate(HealthGate delegate, CrashSwitch crash) {
      this.delegate = delegate;
      this.crash = crash;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public Verdict evaluate(GateContext context) {
      crash.check();
      return delegate.evaluate(context);
    }
  }
}
