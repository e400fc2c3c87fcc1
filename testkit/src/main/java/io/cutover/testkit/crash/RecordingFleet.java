// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import java.util.List;

/**
 * The {@link Fleet} of a {@link RecordingWorld}: every launch, scale, drain and retirement is
 * appended to the world's effect log and forced to disk before the call returns, and an operation
 * id already in the log is answered from it without acting. Instances are READY at once.
 * Thread-safe.
 */
public final class RecordingFleet implements Fleet {
  private final RecordingWorld world;

  RecordingFleet(RecordingWorld world) {
    this.world = world;
  }

  @Override
  public List<Instance> launch(OperationId op, Release release, int replicas) {
    return world.launch(op, release, replicas);
  }

  @Override
  public List<Instance> scale(OperationId op, Release release, int replicas) {
    return world.scale(op, release, replicas);
  }

  @Override
  public void drain(OperationId op, Release release) {
    world.drain(op, release);
  }

  @Override
  public void retire(OperationId op, Release release) {
    world.retire(op, release);
  }

  @Override
  public List<Instance> instances(String service) {
    return world.instances(service);
  }
}
