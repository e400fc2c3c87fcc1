// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.samples.SampleArtifacts;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cutover-samples spells the launch labels out itself (it cannot depend on this module): they must
 * stay ours.
 */
class SampleLabelsTest {
  @Test
  @DisplayName(
      "the sample's labels are the fleet's launch labels: a jar, ready at /healthz, with its JVM options")
  void sampleLabelsAreLaunchLabels(@TempDir Path dir) throws java.io.IOException {
    FilesystemArtifactStore store = FilesystemArtifactStore.open(dir);
    ArtifactRef ref = LocalFixture.put(store, "v1", 0);

    LaunchSpec spec =
        io.cutover.provider.local.fleet.internal.Launchables.resolve(store, store.describe(ref))
            .spec();

    assertThat(SampleArtifacts.labels("v1"))
        .containsKeys(
            LaunchSpec.LABEL_KIND, LaunchSpec.LABEL_READY_PATH, LaunchSpec.LABEL_JAVA_OPTIONS);
    assertThat(spec.kind()).isEqualTo(LaunchSpec.Kind.JAR);
    assertThat(spec.readyPath()).isEqualTo("/healthz");
    assertThat(spec.javaOptions()).containsExactly(SampleArtifacts.JAVA_OPTIONS.split(" "));
  }
}
