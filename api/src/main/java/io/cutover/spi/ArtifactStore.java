// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.ProviderException;
import io.cutover.api.TagRef;
import java.io.InputStream;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Where sealed artifacts live: resolves tags to digests, describes and serves content, and keeps
 * what retention needs.
 *
 * <p><b>Semantics.</b> A tag is only ever an input to {@link #resolve}; everything else takes an
 * {@link ArtifactRef}. Content returned by {@link #fetch} is verified against its digest before or
 * while it is read: a store never hands out bytes that do not hash to the requested digest.
 *
 * <p><b>Idempotency.</b> {@link #pin} and {@link #unpin} are idempotent per (artifact, reason).
 *
 * <p><b>Threading.</b> Implementations must be safe for concurrent use; every method may block on
 * I/O.
 *
 * <p><b>Errors.</b> An unknown tag or artifact is {@link NoSuchElementException}; content that does
 * not match its digest is {@link DigestMismatchException}; an unreachable backend is {@link
 * ProviderException} (retryable when trying again may help).
 */
public interface ArtifactStore {

  /**
   * Resolves a mutable tag to the digest it points to now. Results may be cached only by the caller
   * that asked; a store must not cache tag resolutions.
   *
   * @throws NoSuchElementException if the tag does not exist
   */
  ArtifactRef resolve(TagRef tag);

  /**
   * Describes an artifact: media type, size, creation time, labels, provenance, signatures found.
   *
   * @throws NoSuchElementException if the artifact does not exist
   */
  Artifact describe(ArtifactRef ref);

  /**
   * Opens the artifact's content. The caller closes the stream. The stream throws {@link
   * DigestMismatchException} at its end (at the latest) if the content does not match.
   *
   * @throws NoSuchElementException if the artifact does not exist
   */
  InputStream fetch(ArtifactRef ref);

  /**
   * Checks that the stored content still hashes to its digest and returns its description.
   *
   * @throws DigestMismatchException if it does not
   * @throws NoSuchElementException if the artifact does not exist
   */
  Artifact verify(ArtifactRef ref);

  /** Artifacts of a repository known to the store, newest first where the store can tell. */
  List<ArtifactRef> list(String repository);

  /**
   * Protects an artifact from garbage collection for a reason (e.g. {@code
   * rollback-target:checkout}).
   */
  void pin(ArtifactRef ref, String reason);

  /**
   * Removes one reason for keeping an artifact; the artifact may be collected once no reason is
   * left.
   */
  void unpin(ArtifactRef ref, String reason);
}
