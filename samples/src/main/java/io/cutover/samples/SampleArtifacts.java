// SPDX-License-Identifier: Apache-2.0
package io.cutover.samples;

import io.cutover.api.InvalidSpecException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Packages {@link SampleService} as executable jars, one immutable artifact per version, with the
 * labels that tell a local-process fleet how to run it. The jar bytes depend only on the version,
 * the error rate and the compiled class, so building the same version twice gives the same digest.
 *
 * <p>To put a version into the filesystem store of {@code cutover-provider-local}:
 *
 * <pre>{@code
 * store.put(SampleArtifacts.REPOSITORY, SampleArtifacts.jar("v2", 0),
 *     new ArtifactMetadata(SampleArtifacts.JAR_MEDIA_TYPE, null, SampleArtifacts.labels("v2"), Provenance.NONE));
 * }</pre>
 *
 * (This module does not depend on the local provider, whose own tests launch these jars.)
 *
 * <p>Thread-safe (stateless).
 */
public final class SampleArtifacts {
  /** The repository the sample service is stored under. */
  public static final String REPOSITORY = "cutover/sample-service";

  /** Media type of an executable jar. */
  public static final String JAR_MEDIA_TYPE = "application/java-archive";

  /**
   * JVM options of a sample instance: small and quick to start, so a demo runs many on one machine.
   */
  public static final String JAVA_OPTIONS =
      "-XX:+UseSerialGC -Xmx48m -Xss512k -XX:TieredStopAtLevel=1";

  // Zip stores local DOS times; a fixed local date keeps the bytes independent of the time zone.
  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(2020, 1, 1, 0, 0);
  private static final String CLASS_FILE =
      SampleService.class.getName().replace('.', '/') + ".class";

  private SampleArtifacts() {}

  /**
   * The bytes of an executable jar of the sample service.
   *
   * @param version the version it reports, e.g. {@code v2}
   * @param errorEvery answer 500 to every n-th request (0: never; 20: exactly 5 %)
   * @throws InvalidSpecException if the version is blank or {@code errorEvery} is negative
   */
  public static byte[] jar(String version, int errorEvery) {
    if (version == null || version.isBlank() || !version.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidSpecException(
          "sample.version",
          "'" + version + "' is not a plain version",
          "use letters, digits, '.', '_' or '-', e.g. v2");
    }
    if (errorEvery < 0) {
      throw new InvalidSpecException(
          "sample.errorEvery", "is " + errorEvery, "use 0 (no errors) or n >= 1");
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, SampleService.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes)) {
      jar.putNextEntry(entry("META-INF/MANIFEST.MF"));
      manifest.write(jar);
      jar.closeEntry();
      jar.putNextEntry(entry(CLASS_FILE));
      try (InputStream in = SampleService.class.getClassLoader().getResourceAsStream(CLASS_FILE)) {
        if (in == null) {
          throw new IllegalStateException(CLASS_FILE + " is not on the class path");
        }
        in.transferTo(jar);
      }
      jar.closeEntry();
      jar.putNextEntry(entry("sample-service.properties"));
      jar.write(
          ("version=" + version + "\nerrorEvery=" + errorEvery + "\n")
              .getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The labels of a version's artifact: its OCI title and version, and the launch labels of the
   * local fleet ({@code io.cutover.launch.*}, see {@code LaunchSpec} in {@code
   * cutover-provider-local}): run as a jar, ready at {@code /healthz}, with a small heap. The
   * filesystem store writes the launch labels into a content-addressed launch manifest, so the
   * returned reference's digest covers them (not the store's mutable index).
   */
  public static Map<String, String> labels(String version) {
    return Map.of(
        "org.opencontainers.image.version", version,
        "org.opencontainers.image.title", "sample-service",
        "io.cutover.launch.kind", "jar",
        "io.cutover.launch.ready-path", "/healthz",
        "io.cutover.launch.java-options", JAVA_OPTIONS);
  }

  private static JarEntry entry(String name) {
    JarEntry e = new JarEntry(name);
    e.setTimeLocal(FIXED_TIME);
    return e;
  }
}
