// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The phrase naming a kit's nested group of tests (e.g. "applying splits"). It takes the place of
 * {@code @DisplayName} on nested groups because a {@code @DisplayName} would win over {@link
 * KitDisplayNames}, which puts the provider test and the kit in front of the phrase.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface KitGroup {
  /** The phrase, lower case, e.g. "applying splits". */
  String value();
}
