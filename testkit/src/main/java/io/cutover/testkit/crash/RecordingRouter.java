// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.Instance;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Router} of a {@link RecordingWorld}: every applied split, with the instance ids it
 * routes to, is appended to the world's effect log and forced to disk before the call returns;
 * {@link #current} reads the split back from the world. An operation id already in the log changes
 * nothing. Thread-safe.
 */
public final class RecordingRouter implements Router {
  private final RecordingWorld world;

  RecordingRouter(RecordingWorld world) {
    this.world = world;
  }

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    world.route(op, service, split, backends);
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    return world.split(service);
  }
}
