// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.InvalidSpecException;
import io.cutover.provider.local.fleet.LaunchSpec;
import io.cutover.provider.local.fleet.UnsafeArtifactException;
import io.cutover.provider.local.store.LaunchManifest;
import io.cutover.spi.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Finds out how to run an artifact from data its digest covers: the {@link LaunchManifest} the
 * reference names (fetched, size-capped and hashed here), its config blob (hashed against the
 * digest the manifest names) and the content the manifest names. The store's description (media
 * type, labels of the mutable index) decides nothing about what runs: an artifact without a launch
 * manifest runs only as a plain jar ({@code java -jar}, ready at {@code /healthz}), and one whose
 * launch labels exist only in the index is refused.
 */
public final class Launchables {
  private static final String JAR = "application/java-archive";

  private Launchables() {}

  /**
   * How to run an artifact and which content to run.
   *
   * @param spec the launch specification
   * @param content the content to materialize (the manifest's layer, or the artifact itself)
   */
  public record Launchable(LaunchSpec spec, ArtifactRef content) {}

  /**
   * Resolves the launch of {@code artifact}.
   *
   * @throws InvalidSpecException if it carries no launch information under its digest or that
   *     information is malformed
   * @throws UnsafeArtifactException if its start command would run something outside it, or its
   *     manifest or config blob is too large
   * @throws DigestMismatchException if the store serves a manifest or config blob that does not
   *     hash to the digest naming it
   * @throws IOException if the store cannot be read
   */
  public static Launchable resolve(ArtifactStore store, Artifact artifact) throws IOException {
    ArtifactRef ref = artifact.ref();
    if (!LaunchManifest.MEDIA_TYPE.equals(artifact.mediaType())) {
      Map<String, String> unverified = LaunchManifest.launchLabels(artifact.labels());
      if (unverified.isEmpty() && JAR.equals(artifact.mediaType())) {
        return new Launchable(LaunchSpec.defaultJar(), ref);
      }
      throw new InvalidSpecException(
          "artifact.launch",
          ref
              + " has no launch manifest: "
              + (unverified.isEmpty()
                  ? "media type '" + artifact.mediaType() + "' says nothing about how to run it"
                  : "its launch labels "
                      + unverified.keySet()
                      + " exist only in the store's index, which its digest does not cover, so"
                      + " they are not trusted"),
          "put or import the content again with its "
              + LaunchManifest.LABEL_PREFIX
              + "* labels (FilesystemArtifactStore.put, importFile, importDirectory write them into"
              + " a launch manifest under the digest) and deploy the new reference");
    }
    String name = ref.toString();
    LaunchManifest.Parsed manifest =
        LaunchManifest.parse(readVerified(store, ref, "the launch manifest"), name);
    ArtifactRef configRef = new ArtifactRef(ref.repository(), manifest.config().digest());
    Map<String, String> labels =
        LaunchManifest.parseConfig(readVerified(store, configRef, "the launch config"), name);
    LaunchSpec spec = LaunchSpec.of(labels, manifest.content().mediaType(), name);
    return new Launchable(spec, new ArtifactRef(ref.repository(), manifest.content().digest()));
  }

  /** Reads a small blob whole (capped) and checks it against the digest naming it. */
  private static byte[] readVerified(ArtifactStore store, ArtifactRef ref, String what)
      throws IOException {
    byte[] bytes;
    try (InputStream in = store.fetch(ref)) {
      bytes = in.readNBytes(LaunchManifest.MAX_BYTES + 1);
    }
    if (bytes.length > LaunchManifest.MAX_BYTES) {
      throw new UnsafeArtifactException(
          ref.toString(),
          what,
          "is bigger than " + LaunchManifest.MAX_BYTES + " bytes",
          "rebuild the artifact with FilesystemArtifactStore, whose launch manifests are small");
    }
    Digest actual = Digest.compute(ref.digest().algorithm(), bytes);
    if (!actual.equals(ref.digest())) {
      throw new DigestMismatchException(
          what + " of " + ref + " as served by the artifact store", ref.digest(), actual);
    }
    return bytes;
  }
}
