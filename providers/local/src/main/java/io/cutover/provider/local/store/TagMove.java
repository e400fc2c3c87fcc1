// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.api.ArtifactRef;
import io.cutover.api.TagRef;
import java.time.Instant;

/**
 * One entry of a tag's history: from {@code time} on, {@code tag} pointed at {@code target}. The
 * filesystem store keeps every move, so "what did {@code app:prod} mean last Tuesday" has an
 * answer.
 *
 * @param tag the tag
 * @param target the artifact it was moved to
 * @param time when, from the store's clock
 */
public record TagMove(TagRef tag, ArtifactRef target, Instant time) {}
