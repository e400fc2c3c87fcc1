// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.plan;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.core.plan.internal.PlanTrees;

/**
 * Writes {@link Plan}s as JSON and reads them back.
 *
 * <p><b>Format</b> ({@value #FORMAT}). An object with {@code format}, {@code strategy}, {@code
 * service}, {@code stable} (null for a first deployment) and {@code target} releases ({@code id},
 * {@code service}, {@code artifact} as {@code repository@sha256:...}, {@code config} digest, {@code
 * label}), and the {@code steps} and {@code rollback} arrays. Each step is an object whose {@code
 * kind} is the step's {@link io.cutover.api.plan.Step#kind()} and whose other fields are the step's
 * components under their Java names; durations are ISO-8601 strings ({@code "PT30S"}), weights are
 * basis points, a pause until approval has {@code "duration": null}, a split is {@code {"weights":
 * {...}, "rules": [...], "mirror": ...}} with rule kinds {@code header} and {@code cookie}. The
 * writer emits every field in a fixed order, so equal plans give byte-identical JSON (with {@code
 * \n} line ends on every platform).
 *
 * <p><b>Reading</b> is strict, because a plan decides where production traffic goes: unknown
 * fields, duplicate keys, wrong types, a release id that does not match its service, artifact and
 * configuration, and anything the api's own validation refuses are all reported, each with its JSON
 * path (e.g. {@code $.steps[2].split.weights}), in one {@link InvalidSpecException}. Optional step
 * fields may be omitted and take the api's defaults (e.g. a verify's {@code count} 1, {@code
 * consecutiveErrorLimit} 4).
 *
 * <p><b>Threading.</b> Stateless and thread-safe.
 */
public final class PlanJson {
  /** The format marker written to and required in every document. */
  public static final String FORMAT = PlanTrees.FORMAT;

  private PlanJson() {}

  /** The plan as pretty-printed JSON. */
  public static String toJson(Plan plan) {
    return PlanTrees.toJson(plan);
  }

  /**
   * Reads a plan.
   *
   * @throws InvalidSpecException listing every problem with its JSON path: syntax, unknown or
   *     missing fields, wrong types, release ids that do not match, and everything the api refuses
   */
  public static Plan fromJson(String json) {
    return PlanTrees.fromJson(json);
  }
}
