// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.TagRef;
import io.cutover.spi.ArtifactStore;
import io.cutover.testfixtures.CosignFixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal map-backed store for policy tests; counts calls so tests can prove nothing was read.
 */
class MapStore implements ArtifactStore {
  final Map<String, byte[]> content = new HashMap<>();
  final Map<String, Digest> tags = new HashMap<>();
  final Map<String, Artifact> descriptions = new HashMap<>();
  final AtomicInteger calls = new AtomicInteger();

  ArtifactRef put(String repository, byte[] bytes) {
    ArtifactRef ref = new ArtifactRef(repository, Digest.sha256(bytes));
    content.put(ref.toString(), bytes);
    return ref;
  }

  ArtifactRef put(String repository, String tag, CosignFixtures.Attachment a) {
    a.blobs().forEach((d, b) -> put(repository, b));
    ArtifactRef ref = put(repository, a.manifest());
    tags.put(repository + ":" + tag, ref.digest());
    return ref;
  }

  void describe(ArtifactRef ref, Instant created, Map<String, String> labels) {
    descriptions.put(ref.toString(), Artifact.builder(ref).created(created).labels(labels).build());
  }

  @Override
  public ArtifactRef resolve(TagRef tag) {
    calls.incrementAndGet();
    Digest d = tags.get(tag.toString());
    if (d == null) {
      throw new NoSuchElementException(tag + " not found");
    }
    return new ArtifactRef(tag.repository(), d);
  }

  @Override
  public Artifact describe(ArtifactRef ref) {
    calls.incrementAndGet();
    Artifact a = descriptions.get(ref.toString());
    if (a == null) {
      throw new NoSuchElementException(ref + " not found");
    }
    return a;
  }

  @Override
  public InputStream fetch(ArtifactRef ref) {
    calls.incrementAndGet();
    byte[] b = content.get(ref.toString());
    if (b == null) {
      throw new NoSuchElementException(ref + " not found");
    }
    return new ByteArrayInputStream(b);
  }

  @Override
  public Artifact verify(ArtifactRef ref) {
    return describe(ref);
  }

  @Override
  public List<ArtifactRef> list(String repository) {
    throw new UnsupportedOperationException("a policy never lists");
  }

  @Override
  public void pin(ArtifactRef ref, String reason) {
    throw new UnsupportedOperationException("a policy never pins");
  }

  @Override
  public void unpin(ArtifactRef ref, String reason) {
    throw new UnsupportedOperationException("a policy never unpins");
  }
}
