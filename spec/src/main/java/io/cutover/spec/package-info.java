// SPDX-License-Identifier: Apache-2.0
/**
 * The declarative rollout spec, {@code cutover.yaml} ({@code apiVersion: cutover.io/v1}): {@link
 * io.cutover.spec.CutoverSpec#parse} reads one service's rollout description into the core builders
 * (strategies, {@code Step.Verify}, {@code VerificationPolicy}, {@code RolloutOptions}) and
 * reports every problem at once with file, line, column and JSON path ({@link
 * io.cutover.spec.SpecException}); {@link io.cutover.spec.SpecEngine} turns a parsed spec and a
 * {@code ProviderRegistry} into an engine, a dry-run plan and a rollout. docs/spec.md is the
 * reference; docs/schema/cutover-v1.json is the same format as a JSON Schema.
 */
@NullMarked
package io.cutover.spec;

import org.jspecify.annotations.NullMarked;
