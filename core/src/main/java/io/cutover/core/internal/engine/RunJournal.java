// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.OwnershipLostException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Appends one rollout's typed payloads to the engine's journal. */
final class RunJournal {
  private static final Logger LOG = LoggerFactory.getLogger(RunJournal.class);
  private final EngineContext ctx;
  private final String rolloutId;
  private final String service;

  /** Told once when a shared journal says this engine no longer owns the rollout. */
  private final Consumer<OwnershipLostException> lost;

  /** Set once ownership is lost: every later append is refused here, without the journal. */
  private volatile @Nullable OwnershipLostException gone;

  RunJournal(
      EngineContext ctx, String rolloutId, String service, Consumer<OwnershipLostException> lost) {
    this.ctx = ctx;
    this.rolloutId = rolloutId;
    this.service = service;
    this.lost = lost;
  }

  /**
   * Appends durably; a journal failure propagates (nothing may follow a record that is not
   * durable). After an {@link OwnershipLostException} every append fails with it.
   */
  void append(JournalPayload payload) {
    OwnershipLostException g = gone;
    if (g != null) {
      throw g;
    }
    try {
      ctx.journal().append(ctx.codec().record(ctx.clock().instant(), rolloutId, service, payload));
    } catch (OwnershipLostException e) {
      gone = e;
      lost.accept(e);
      throw e;
    }
  }

  /** Appends, logging instead of throwing: for records of what already happened. */
  void appendSafely(JournalPayload payload) {
    try {
      append(payload);
    } catch (RuntimeException e) {
      LOG.error("journal append failed for {} of {}", payload, rolloutId, e);
    }
  }
}
