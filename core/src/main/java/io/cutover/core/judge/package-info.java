// SPDX-License-Identifier: Apache-2.0
/**
 * The statistical canary judge: {@link io.cutover.core.judge.CanaryJudge} compares canary and baseline
 * samples per metric with the Mann-Whitney U test ({@link io.cutover.core.judge.MannWhitney}), estimates
 * the shift with Hodges-Lehmann ({@link io.cutover.core.judge.HodgesLehmann}), classifies each metric,
 * scores metric groups with weights and decides pass, marginal or fail, explaining every metric. Its
 * {@link io.cutover.core.judge.CanaryJudge.Mode#KAYENTA Kayenta mode} reproduces Spinnaker Kayenta's
 * NetflixACAJudge so existing canary configurations keep their meaning. {@link
 * io.cutover.core.judge.CanaryJudgeGate} runs it as a health gate over any metric source; {@link
 * io.cutover.core.judge.CanaryJudgeGateProvider} ({@code canary-judge}) builds that gate from configuration,
 * and {@link io.cutover.core.judge.KayentaCanaryConfig} reads a Kayenta canary config into it. Pure Java;
 * deterministic (the only randomness, Kayenta's tie-breaking noise, is seeded).
 */
@NullMarked
package io.cutover.core.judge;

import org.jspecify.annotations.NullMarked;
