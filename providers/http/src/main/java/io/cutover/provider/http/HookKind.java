// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import java.util.List;
import java.util.Locale;

/**
 * Flagger's webhook kinds as lifecycle phases ({@link io.cutover.spi.GateContext#phase()}), and
 * what a webhook's answer means in each. What the engine does with the verdict of a {@code Hook}
 * step depends on its phase (see {@code Step.Hook}); a {@code Verify} step counts outcomes against
 * its limits.
 *
 * <table>
 *   <caption>Answer of the webhook → verdict</caption>
 *   <tr><th>kind</th><th>2xx</th><th>non-2xx</th><th>unreachable / timeout</th></tr>
 *   <tr><td>confirm-rollout, confirm-traffic-increase, confirm-promotion</td><td>PASS</td>
 *       <td>INCONCLUSIVE: not confirmed (yet): the rollout waits and asks again every interval</td><td>ERROR</td></tr>
 *   <tr><td>pre-rollout, rollout, and analysis webhooks</td><td>PASS</td><td>FAIL</td><td>ERROR</td></tr>
 *   <tr><td>rollback</td><td>FAIL: the receiver asks for a rollback</td><td>PASS</td><td>PASS (no request)</td></tr>
 *   <tr><td>post-rollout, event</td><td>PASS</td><td>PASS, failure reported in the reasons (the rollout is over or the hook only informs)</td>
 *       <td>PASS, reported</td></tr>
 * </table>
 */
public enum HookKind {
  /** Asked before anything starts; a "no" keeps the rollout from starting. */
  CONFIRM_ROLLOUT,
  /** Runs before traffic shifts to the canary (migrations, smoke tests); failure aborts. */
  PRE_ROLLOUT,
  /** Runs during analysis (load tests, custom checks); failure counts as a failed check. */
  ROLLOUT,
  /** Asked before each traffic increase. */
  CONFIRM_TRAFFIC_INCREASE,
  /** Asked before promotion. */
  CONFIRM_PROMOTION,
  /** Runs after promotion or rollback; informational. */
  POST_ROLLOUT,
  /** Polled during the rollout; a 2xx answer asks for a rollback. */
  ROLLBACK,
  /** Told about events; informational. */
  EVENT,
  /** Any other phase, such as {@code analysis}: a plain webhook check. */
  ANALYSIS;

  /** The phase name, e.g. {@code confirm-rollout}. */
  public String phase() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The kind of a phase name; unknown phases are {@link #ANALYSIS}. */
  public static HookKind ofPhase(String phase) {
    for (HookKind k : values()) {
      if (k.phase().equals(phase)) {
        return k;
      }
    }
    return ANALYSIS;
  }

  /** The verdict for an HTTP answer. */
  Verdict answered(int status, String what) {
    boolean ok = status >= 200 && status < 300;
    String head = phase() + " webhook " + what + " answered " + status;
    return switch (this) {
      case CONFIRM_ROLLOUT, CONFIRM_TRAFFIC_INCREASE, CONFIRM_PROMOTION ->
          ok ? Verdict.pass(head + ": confirmed") : Verdict.inconclusive(head + ": not confirmed");
      case ROLLBACK ->
          ok
              ? Verdict.fail(head + ": rollback requested")
              : Verdict.pass(head + ": no rollback requested");
      case POST_ROLLOUT, EVENT ->
          Verdict.pass(ok ? head : head + " (failure ignored: " + phase() + " hooks only inform)");
      default -> ok ? Verdict.pass(head) : Verdict.fail(head);
    };
  }

  /** The verdict when the webhook could not be reached. */
  Verdict unreachable(String what, String problem) {
    String head = phase() + " webhook " + what + " unreachable: " + problem;
    return switch (this) {
      case ROLLBACK -> Verdict.pass(head + " (no rollback requested)");
      case POST_ROLLOUT, EVENT ->
          Verdict.pass(head + " (ignored: " + phase() + " hooks only inform)");
      default -> new Verdict(Outcome.ERROR, List.of(), List.of(head));
    };
  }
}
