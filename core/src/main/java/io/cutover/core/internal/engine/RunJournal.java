// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.core.internal.schema.JournalPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Appends one rollout's typed payloads to the engine's journal. */
final class RunJournal {
  private static final Logger LOG = LoggerFactory.getLogger(RunJournal.class);
  private final EngineContext ctx;
  private final String rolloutId;
  private final String service;

  RunJournal(EngineContext ctx, String rolloutId, String service) {
    this.ctx = ctx;
    this.rolloutId = rolloutId;
    this.service = service;
  }

  /**
   * Appends durably; a journal failure propagates (nothing may follow a record that is not
   * durable).
   */
  void append(JournalPayload payload) {
    ctx.journal().append(ctx.codec().record(ctx.clock().instant(), rolloutId, service, payload));
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
