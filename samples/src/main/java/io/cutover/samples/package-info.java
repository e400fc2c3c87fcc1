// SPDX-License-Identifier: Apache-2.0
/**
 * What {@code cutover demo} deploys and drives, published separately so that no provider jar carries
 * demo code: a tiny JDK-only HTTP service, the code that packages it as immutable executable-jar
 * artifacts, an open-loop HTTP traffic generator, and a private HAProxy for {@code --router haproxy}
 * (with {@link io.cutover.samples.ExternalProcess}, the server-process life cycle that the test fixtures
 * share). Version 3 of the demo is built with
 * {@code errorEvery = 20} so that it answers exactly 5 % errors.
 */
@NullMarked
package io.cutover.samples;

import org.jspecify.annotations.NullMarked;
