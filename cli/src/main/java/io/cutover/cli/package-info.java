// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code cutover} command line (docs/cli.md): {@code validate}, {@code plan} and {@code apply}
 * read a {@code cutover.yaml} through {@code cutover-spec}; {@code demo} runs real rollouts of a
 * sample service; {@code simulate} runs a canary rollout under virtual time with the testkit's fakes.
 * Bad input to any command is one line on stderr and exit code 2, checked before any work.
 */
@NullMarked
package io.cutover.cli;

import org.jspecify.annotations.NullMarked;
