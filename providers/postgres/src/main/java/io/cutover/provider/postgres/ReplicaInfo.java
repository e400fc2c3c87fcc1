// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One engine replica as the database knows it, for an operator view.
 *
 * @param id the replica's id (unique per process)
 * @param description what the replica said of itself at start (host, pid, version)
 * @param startedAt when it registered (the database's clock)
 * @param heartbeatAt its last heartbeat (the database's clock)
 * @param stoppedAt when it stopped cleanly, or null
 * @param live whether it stopped neither cleanly nor by silence (heartbeat within the lease TTL)
 * @param leases how many ownership leases it holds now
 */
public record ReplicaInfo(
    String id,
    String description,
    Instant startedAt,
    Instant heartbeatAt,
    @Nullable Instant stoppedAt,
    boolean live,
    int leases) {
  /** Validates the parts. */
  public ReplicaInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(heartbeatAt, "heartbeatAt");
  }
}
