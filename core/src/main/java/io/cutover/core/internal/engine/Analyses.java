// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.plan.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The analysis runs of one rollout: the foreground run that holds the current {@code Verify} step,
 * the background runs that span steps, and what their outcomes mean for the rollout. Lives on the
 * mailbox.
 */
final class Analyses implements AnalysisRun.Host {
  private final EngineContext ctx;
  private final RolloutMailbox mailbox;
  private final Verdicts verdicts;
  private final ProgressWatchdog watchdog;
  private final Consumer<String> abort;
  private final Consumer<String> pauseInconclusive;
  private final Runnable stepPassed;
  private final List<Step.Hook> rolloutHooks;
  private @Nullable AnalysisRun foreground;
  private final List<AnalysisRun> background = new ArrayList<>(1);

  /** A background run was inconclusive: the rollout pauses at the next step boundary. */
  private @Nullable String pendingPause;

  /**
   * @param abort aborts the rollout with a reason
   * @param pauseInconclusive pauses the rollout on its current step for a human
   * @param stepPassed completes the current step
   * @param rolloutHooks hooks evaluated with every measurement of every run
   */
  Analyses(
      EngineContext ctx,
      RolloutMailbox mailbox,
      Verdicts verdicts,
      ProgressWatchdog watchdog,
      Consumer<String> abort,
      Consumer<String> pauseInconclusive,
      Runnable stepPassed,
      List<Step.Hook> rolloutHooks) {
    this.ctx = ctx;
    this.mailbox = mailbox;
    this.verdicts = verdicts;
    this.watchdog = watchdog;
    this.abort = abort;
    this.pauseInconclusive = pauseInconclusive;
    this.stepPassed = stepPassed;
    this.rolloutHooks = List.copyOf(rolloutHooks);
  }

  /**
   * Starts the run that holds step {@code step}, counting verdicts the journal holds (see {@link
   * AnalysisRun#begin}).
   */
  void foreground(
      Step.Verify verify, int step, List<AnalysisRun.Recorded> journaled, Instant startedAt) {
    AnalysisRun run =
        new AnalysisRun(ctx, mailbox, this, verdicts, watchdog, verify, step, rolloutHooks);
    foreground = run;
    run.begin(journaled, startedAt);
  }

  /** Starts a background run afresh. */
  void background(Step.Verify verify, int step) {
    AnalysisRun run =
        new AnalysisRun(ctx, mailbox, this, verdicts, watchdog, verify, step, rolloutHooks);
    background.add(run);
    run.start();
  }

  /** Restores a background run that was running when the engine stopped. */
  void resumeBackground(
      Step.Verify verify, int step, List<AnalysisRun.Recorded> journaled, Instant startedAt) {
    AnalysisRun run =
        new AnalysisRun(ctx, mailbox, this, verdicts, watchdog, verify, step, rolloutHooks);
    background.add(run);
    run.begin(journaled, startedAt);
  }

  void stopForeground() {
    if (foreground != null) {
      foreground.stop();
      foreground = null;
    }
  }

  void stopBackground() {
    for (AnalysisRun a : background) {
      a.stop();
    }
    background.clear();
  }

  /** The reason to pause at this step boundary, once: null if no background run asked for it. */
  @Nullable String takePendingPause() {
    String p = pendingPause;
    pendingPause = null;
    return p;
  }

  boolean pausePending() {
    return pendingPause != null;
  }

  @Override
  public void failed(AnalysisRun run, String why) {
    abort.accept("analysis failed: " + why);
  }

  @Override
  public void inconclusive(AnalysisRun run, String why) {
    if (run.background()) {
      pendingPause = "background analysis inconclusive: " + why;
    } else {
      foreground = null;
      pauseInconclusive.accept("analysis inconclusive: " + why);
    }
  }

  @Override
  public void passed(AnalysisRun run) {
    if (!run.background()) {
      foreground = null;
      stepPassed.run();
    }
  }
}
