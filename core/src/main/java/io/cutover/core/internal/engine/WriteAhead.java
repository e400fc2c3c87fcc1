// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.ProviderException;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.OperationId;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Issues a rollout's side effects write-ahead: an INTENT record is durable before the call, a DONE
 * or FAILED record with the same {@link OperationId} follows it. At most one effect is in flight;
 * an abort that arrives meanwhile waits for it (so the rollback's "traffic to stable" can never be
 * overtaken by an older routing call) and, for forward effects, stops its retries.
 *
 * <p>Runs on the rollout's mailbox; the provider call runs on the provider executor through the
 * {@link ResilientCaller} its {@link Effect} names, and its completion is posted back to the
 * mailbox.
 */
final class WriteAhead {

  private final EngineContext ctx;
  private final RunJournal journal;
  private final Executor mailbox;
  private final FleetView view;

  /**
   * True while the rollout moves forward (not aborting, not rolling back): such effects obey the
   * abort guard.
   */
  private final BooleanSupplier forward;

  /** True if an abort arrived and the rollback has not started yet. */
  private final BooleanSupplier abortPending;

  /** Starts the rollback, once the effect that was in flight has completed. */
  private final Runnable rollbackNow;

  /** Told, on the mailbox, each time an effect's provider call is retried. */
  private final Retried retried;

  private boolean inFlight;

  /** A retried provider call of this rollout (PROVIDER_RETRY). */
  @FunctionalInterface
  interface Retried {
    /**
     * @param provider the provider ({@code fleet}, {@code router})
     * @param operation the effect kind's wire name
     * @param attempt the attempt that failed, from 1
     * @param failure its failure
     */
    void retried(String provider, String operation, int attempt, Throwable failure);
  }

  /** Read by provider threads: a forward effect stops retrying once the rollout is aborting. */
  private volatile boolean aborting;

  WriteAhead(
      EngineContext ctx,
      RunJournal journal,
      Executor mailbox,
      FleetView view,
      BooleanSupplier forward,
      BooleanSupplier abortPending,
      Runnable rollbackNow,
      Retried retried) {
    this.ctx = ctx;
    this.retried = retried;
    this.journal = journal;
    this.mailbox = mailbox;
    this.view = view;
    this.forward = forward;
    this.abortPending = abortPending;
    this.rollbackNow = rollbackNow;
  }

  /** Whether an effect is between its INTENT and its DONE/FAILED. */
  boolean inFlight() {
    return inFlight;
  }

  /** From now on forward effects are not retried: an abort is under way. */
  void signalAbort() {
    aborting = true;
  }

  /**
   * Journals the intent, issues the effect once the intent is durable, journals its outcome, then
   * calls {@code onDone} or {@code failed} on the mailbox, unless an abort arrived meanwhile: then
   * the result is recorded and the rollback starts instead.
   */
  <R> void issue(OperationId op, Effect<R> effect, Consumer<R> onDone, Consumer<String> failed) {
    JournalPayload.EffectKind kind = effect.kind();
    boolean obeysAbort = forward.getAsBoolean();
    inFlight = true;
    // No effect may follow an intent that is not durable: the call is issued only once it is (the
    // scheduler thread serves other rollouts meanwhile; this one's mailbox is held).
    journal.appendThen(
        new JournalPayload.Intent(op.value(), kind),
        () -> call(op, effect, obeysAbort, onDone, failed),
        e -> {
          inFlight = false;
          if (abortPending.getAsBoolean()) {
            rollbackNow.run();
          } else {
            failed.accept("journal refused the intent of " + op + ": " + e.getMessage());
          }
        });
  }

  private <R> void call(
      OperationId op,
      Effect<R> effect,
      boolean obeysAbort,
      Consumer<R> onDone,
      Consumer<String> failed) {
    JournalPayload.EffectKind kind = effect.kind();
    ResilientCaller caller = effect.caller(ctx);
    Supplier<R> call = () -> effect.call(ctx, op);
    Supplier<R> guarded =
        !obeysAbort
            ? call
            : () -> {
              if (aborting) {
                // The abort waits for this call; further retries would only delay traffic going
                // back to stable.
                throw ProviderException.permanent(
                    caller.provider(), kind.wireName(), "not retried: the rollout is aborting");
              }
              return call.get();
            };
    caller
        .call(
            kind.wireName(),
            effect.service(),
            guarded,
            (n, t) ->
                mailbox.execute(() -> retried.retried(caller.provider(), kind.wireName(), n, t)))
        .whenComplete(
            (result, err) ->
                mailbox.execute(
                    () -> {
                      inFlight = false;
                      if (err != null) {
                        String why = RolloutRun.message(err);
                        journal.appendSafely(new JournalPayload.Failed(op.value(), kind, why));
                        if (abortPending.getAsBoolean()) {
                          rollbackNow.run();
                        } else {
                          failed.accept(why);
                        }
                        return;
                      }
                      journal.appendSafely(new JournalPayload.Done(op.value(), kind));
                      if (abortPending.getAsBoolean()) {
                        // An abort arrived while this effect was in flight: record what happened,
                        // then roll back.
                        effect.recordInterrupted(result, view);
                        rollbackNow.run();
                        return;
                      }
                      onDone.accept(result);
                    }));
  }
}
