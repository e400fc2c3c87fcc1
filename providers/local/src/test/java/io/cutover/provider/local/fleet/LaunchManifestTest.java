// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.provider.local.store.LaunchManifest;
import io.cutover.samples.SampleArtifacts;
import io.cutover.spi.OperationId;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 2: what runs is covered by the artifact's digest. Launch labels travel in a
 * content-addressed {@link LaunchManifest}; the store's mutable {@code index.json} decides nothing
 * about the command, JVM options or ready path, and commands outside the artifact are refused.
 */
class LaunchManifestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FilesystemArtifactStore store;
  LocalProcessFleet fleet;

  @BeforeEach
  void setUp() {
    store = FilesystemArtifactStore.open(dir.resolve("store"));
    fleet =
        LocalProcessFleet.builder(dir.resolve("fleet"), store)
            .readyTimeout(Duration.ofSeconds(30))
            .gracePeriod(Duration.ofSeconds(2))
            .build();
  }

  @AfterEach
  void tearDown() {
    fleet.stopAll();
    fleet.close();
  }

  /** A directory artifact with two start scripts that greet differently. */
  ArtifactRef twoScripts(String command) throws Exception {
    Path tree = dir.resolve("tree-" + System.nanoTime());
    Files.createDirectories(tree.resolve("bin"));
    Files.write(tree.resolve("app.jar"), SampleArtifacts.jar("dir", 0));
    for (String name : new String[] {"start", "evil"}) {
      Path script = tree.resolve("bin").resolve(name);
      Files.writeString(
          script,
          "#!/bin/sh\nGREETING="
              + name
              + " exec java -XX:TieredStopAtLevel=1 -jar \"$(dirname \"$0\")/../app.jar\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return store.importDirectory(
        "team/dir-app",
        tree,
        ArtifactMetadata.of(ArtifactMetadata.TAR)
            .withLabel(LaunchSpec.LABEL_COMMAND, command)
            .withLabel("org.opencontainers.image.version", "1.0"));
  }

  /** Sets a label of an artifact in {@code index.json}, as whoever can write the store could. */
  void editIndexLabel(ArtifactRef ref, String key, String value) throws Exception {
    Path index = store.root().resolve("index.json");
    ObjectNode root = (ObjectNode) JSON.readTree(index.toFile());
    ObjectNode entry =
        (ObjectNode)
            root.path("repositories")
                .path(ref.repository())
                .path("artifacts")
                .path(ref.digest().toString());
    entry.with("labels").put(key, value);
    Path tmp = dir.resolve("index.edited");
    JSON.writeValue(tmp.toFile(), root);
    Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING);
  }

  String greeting(Instance i) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(i.endpoint().resolve("/")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  @DisplayName(
      "launch labels live in a config blob under the artifact's digest, not in the index; the"
          + " content and config are fetched by their own digests")
  void labelsUnderTheDigest() throws Exception {
    ArtifactRef ref = twoScripts("bin/start");

    assertThat(store.describe(ref).mediaType()).isEqualTo(LaunchManifest.MEDIA_TYPE);
    assertThat(store.describe(ref).labels())
        .containsEntry("org.opencontainers.image.version", "1.0")
        .doesNotContainKey(LaunchSpec.LABEL_COMMAND);
    assertThat(Files.readString(store.root().resolve("index.json")))
        .doesNotContain(LaunchManifest.LABEL_PREFIX);
    byte[] manifest;
    try (InputStream in = store.fetch(ref)) {
      manifest = in.readAllBytes();
    }
    assertThat(Digest.sha256(manifest)).isEqualTo(ref.digest());
    LaunchManifest.Parsed parsed = LaunchManifest.parse(manifest, ref.toString());
    byte[] config;
    try (InputStream in =
        store.fetch(new ArtifactRef(ref.repository(), parsed.config().digest()))) {
      config = in.readAllBytes();
    }
    assertThat(LaunchManifest.parseConfig(config, ref.toString()))
        .isEqualTo(Map.of(LaunchSpec.LABEL_COMMAND, "bin/start"));
    assertThat(parsed.content().mediaType()).isEqualTo(ArtifactMetadata.TAR);
    assertThat(store.verify(ref).ref()).isEqualTo(ref);
    // Same tree and labels, same digest: the manifest is deterministic.
    assertThat(store.describe(ref)).isNotNull();
  }

  /**
   * Before this, {@code describe} (what {@code maxAge} and {@code forbiddenLabels} judge) read
   * labels and the creation time from the index: an edit there passed an artifact the policy would
   * refuse.
   */
  @Test
  @DisplayName(
      "the labels and creation time the verification policy judges come from under the digest")
  void policyInputsUnderTheDigest() throws Exception {
    ArtifactRef ref = twoScripts("bin/start");
    Instant created = store.describe(ref).created();
    editIndexLabel(ref, "org.opencontainers.image.version", "9.9");
    editIndexLabel(ref, "io.example.debug", "true");
    editIndexField(ref, "created", "2099-01-01T00:00:00Z");

    assertThat(store.describe(ref).labels())
        .containsEntry("org.opencontainers.image.version", "1.0")
        .doesNotContainKey("io.example.debug");
    assertThat(store.describe(ref).created()).isEqualTo(created);
    assertThat(store.verify(ref).labels()).doesNotContainKey("io.example.debug");

    // Nor does relabelling the entry's media type make the store fall back to the index.
    editIndexField(ref, "mediaType", "application/java-archive");
    assertThat(store.describe(ref).labels()).doesNotContainKey("io.example.debug");
    assertThat(store.describe(ref).created()).isEqualTo(created);
  }

  /** Sets a field of an artifact's entry in {@code index.json}. */
  void editIndexField(ArtifactRef ref, String field, String value) throws Exception {
    Path index = store.root().resolve("index.json");
    ObjectNode root = (ObjectNode) JSON.readTree(index.toFile());
    ((ObjectNode)
            root.path("repositories")
                .path(ref.repository())
                .path("artifacts")
                .path(ref.digest().toString()))
        .put(field, value);
    Path tmp = dir.resolve("index.edited");
    JSON.writeValue(tmp.toFile(), root);
    Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Before the fix the fleet read the start command from the index and ran bin/evil. */
  @Test
  @DisplayName("editing index.json labels no longer changes what runs")
  void indexEditsDoNotChangeWhatRuns() throws Exception {
    ArtifactRef ref = twoScripts("bin/start");
    editIndexLabel(ref, LaunchSpec.LABEL_COMMAND, "bin/evil");
    editIndexLabel(ref, LaunchSpec.LABEL_READY_PATH, "/nowhere");

    Instance i = fleet.launch(new OperationId("r1/s0/launch"), Release.of("shop", ref), 1).get(0);

    assertThat(greeting(i)).isEqualTo("start from dir\n");
    assertThat(i.runningDigest()).isEqualTo(ref.digest());
  }

  @Test
  @DisplayName(
      "an artifact whose launch labels exist only in the index (added by hand, or written by an"
          + " earlier version) is refused with the migration in the message")
  void labelsOnlyInTheIndexRefused() throws Exception {
    ArtifactRef plainTar =
        store.put(
            "team/dir-app",
            Files.readAllBytes(
                store.root().resolve("sha256").resolve(contentOf(twoScripts("bin/start")))),
            ArtifactMetadata.of(ArtifactMetadata.TAR));
    editIndexLabel(plainTar, LaunchSpec.LABEL_COMMAND, "bin/evil");

    assertThatThrownBy(
            () -> fleet.launch(new OperationId("r2/s0/launch"), Release.of("shop", plainTar), 1))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("artifact.launch")
        .hasMessageContaining("exist only in the store's index")
        .hasMessageContaining("importDirectory");
    assertThat(fleet.instances("shop")).isEmpty();
  }

  @Test
  @DisplayName(
      "a start command that is absolute or leaves the artifact is refused with"
          + " UnsafeArtifactException before anything runs")
  void commandsOutsideRefused() throws Exception {
    for (String command : new String[] {"/bin/sh -c id", "../../bin/sh", "bin/../../x"}) {
      ArtifactRef ref = twoScripts(command);
      assertThatThrownBy(
              () ->
                  fleet.launch(
                      new OperationId("r3/" + command.length()), Release.of("shop", ref), 1))
          .as(command)
          .isInstanceOf(ProviderException.class)
          .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse())
          .cause()
          .isInstanceOfSatisfying(
              UnsafeArtifactException.class,
              e -> assertThat(e.entry()).contains(command.split(" ")[0]));
    }
    assertThat(fleet.instances("shop")).isEmpty();
    assertThatThrownBy(
            () ->
                LaunchSpec.of(
                    Map.of(LaunchSpec.LABEL_COMMAND, "/usr/bin/env"),
                    ArtifactMetadata.TAR,
                    "team/x@sha256:" + "0".repeat(64)))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("absolute path");
  }

  @Test
  @DisplayName("a config blob modified in the store is refused as a digest mismatch")
  void tamperedConfigRefused() throws Exception {
    ArtifactRef ref = twoScripts("bin/start");
    byte[] manifest;
    try (InputStream in = store.fetch(ref)) {
      manifest = in.readAllBytes();
    }
    Path config =
        store
            .root()
            .resolve("sha256")
            .resolve(LaunchManifest.parse(manifest, ref.toString()).config().digest().hex());
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(config, "{\"launch\":{\"" + LaunchSpec.LABEL_COMMAND + "\":\"bin/evil\"}}");

    assertThatThrownBy(
            () -> fleet.launch(new OperationId("r4/s0/launch"), Release.of("shop", ref), 1))
        .isInstanceOf(ProviderException.class)
        .hasCauseInstanceOf(DigestMismatchException.class);
    assertThat(fleet.instances("shop")).isEmpty();
  }

  private String contentOf(ArtifactRef ref) throws Exception {
    try (InputStream in = store.fetch(ref)) {
      return LaunchManifest.parse(in.readAllBytes(), ref.toString()).content().digest().hex();
    }
  }
}
