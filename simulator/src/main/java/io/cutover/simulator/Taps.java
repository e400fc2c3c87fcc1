// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.simulator.FakeFleet.Call;
import io.cutover.simulator.FakeFleet.CallKind;
import io.cutover.simulator.FakeFleet.Outcome;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Recording wrappers that let {@link RolloutHarness} run on any router or fleet and still keep its
 * traffic timeline, fleet calls and router checks: every call goes to the wrapped provider first
 * and is recorded only as what it did (a failed apply records nothing, so the timeline holds only
 * splits that took effect).
 */
final class Taps {
  private Taps() {}

  /** A router that records every split it applies successfully into a {@link FakeRouter}. */
  static final class RecordingRouter implements Router {
    private final Router delegate;
    private final FakeRouter recorder;

    RecordingRouter(Router delegate, FakeRouter recorder) {
      this.delegate = delegate;
      this.recorder = recorder;
    }

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      delegate.apply(op, service, split, backends);
      recorder.record(op, service, split, backends);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      // The engine reads back from the real router: the recording never answers for it.
      return delegate.current(service);
    }

    @Override
    public String toString() {
      return "Recording[" + delegate + "]";
    }
  }

  /**
   * A fleet that records its mutating calls (as {@link FakeFleet#calls()} does) and tells the
   * recording router which instances a retire took away.
   */
  static final class RecordingFleet implements Fleet {
    private final Fleet delegate;
    private final FakeRouter recorder;
    private final List<Call> calls = new ArrayList<>();
    private final Set<OperationId> seen = new HashSet<>();

    RecordingFleet(Fleet delegate, FakeRouter recorder) {
      this.delegate = delegate;
      this.recorder = recorder;
    }

    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      return recorded(
          op, CallKind.LAUNCH, release, replicas, () -> delegate.launch(op, release, replicas));
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      return recorded(
          op, CallKind.SCALE, release, replicas, () -> delegate.scale(op, release, replicas));
    }

    @Override
    public void drain(OperationId op, Release release) {
      recorded(
          op,
          CallKind.DRAIN,
          release,
          0,
          () -> {
            delegate.drain(op, release);
            return List.of();
          });
    }

    @Override
    public void retire(OperationId op, Release release) {
      List<Instance> before =
          delegate.instances(release.service()).stream()
              .filter(i -> i.releaseId().equals(release.id()))
              .toList();
      recorded(
          op,
          CallKind.RETIRE,
          release,
          0,
          () -> {
            delegate.retire(op, release);
            return List.of();
          });
      before.forEach(recorder::retired);
    }

    /** Forwarded unrecorded: drift repair's single-instance stop (the timeline tracks releases). */
    @Override
    public void retireInstance(OperationId op, String service, String instanceId) {
      delegate.retireInstance(op, service, instanceId);
    }

    @Override
    public List<Instance> instances(String service) {
      return delegate.instances(service);
    }

    /** The mutating calls so far, in order. */
    synchronized List<Call> calls() {
      return List.copyOf(calls);
    }

    private interface FleetCall {
      List<Instance> run();
    }

    private List<Instance> recorded(
        OperationId op, CallKind kind, Release release, int replicas, FleetCall call) {
      List<Instance> result;
      try {
        result = call.run();
      } catch (RuntimeException e) {
        add(new Call(op, kind, release, replicas, Outcome.FAILED));
        throw e;
      }
      synchronized (this) {
        calls.add(
            new Call(
                op, kind, release, replicas, seen.add(op) ? Outcome.APPLIED : Outcome.REPEATED));
      }
      return result;
    }

    private synchronized void add(Call call) {
      calls.add(call);
    }

    @Override
    public String toString() {
      return "Recording[" + delegate + "]";
    }
  }
}
