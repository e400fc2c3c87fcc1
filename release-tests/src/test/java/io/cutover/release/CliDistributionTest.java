// SPDX-License-Identifier: Apache-2.0
package io.cutover.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI distribution as a user downloads it: cli/target/cutover-cli-VERSION-bin.tar.gz. */
class CliDistributionTest {

  private static final String[] TEST_LIBRARIES = {
    "org/junit/", "org/assertj/", "junit/", "org/opentest4j/"
  };

  private static Path tarball;
  private static String top;
  private static final Map<String, TarArchiveEntry> ENTRIES = new HashMap<>();
  private static final Map<String, byte[]> CONTENT = new HashMap<>();

  @BeforeAll
  static void readTarball() throws IOException {
    Path target = Reactor.root().resolve("cli/target");
    try (Stream<Path> files = Files.list(target)) {
      tarball =
          files
              .filter(p -> p.getFileName().toString().matches("cutover-cli-.*-bin\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "no cutover-cli-*-bin.tar.gz in "
                              + target
                              + ": run the build through the package phase (./mvnw verify)"));
    }
    String version =
        tarball.getFileName().toString().replaceAll("^cutover-cli-(.*)-bin\\.tar\\.gz$", "$1");
    top = "cutover-" + version + "/";
    try (InputStream file = Files.newInputStream(tarball);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        ENTRIES.put(e.getName(), e);
        if (!e.isDirectory()) {
          CONTENT.put(e.getName(), tar.readAllBytes());
        }
      }
    }
  }

  @Test
  @DisplayName(
      "the tar.gz holds the launcher (executable), the runnable jar, licence, notice and SBOM under one top folder")
  void layout() {
    assertThat(ENTRIES.keySet()).allMatch(name -> name.startsWith(top), "is under " + top);
    assertThat(ENTRIES)
        .containsKeys(
            top + "bin/cutover",
            top + "lib/cutover.jar",
            top + "LICENSE",
            top + "NOTICE",
            top + "sbom/cutover-cli.cdx.json");
    assertThat(ENTRIES.get(top + "bin/cutover").getMode() & 0777)
        .as("bin/cutover mode")
        .isEqualTo(0755);
    assertThat(new String(CONTENT.get(top + "bin/cutover"), StandardCharsets.UTF_8))
        .startsWith("#!/bin/sh\n");
    assertThat(new String(CONTENT.get(top + "sbom/cutover-cli.cdx.json"), StandardCharsets.UTF_8))
        .contains("\"bomFormat\" : \"CycloneDX\"", "pkg:maven/io.cutover/cutover-cli@");
  }

  @Test
  @DisplayName("the runnable jar carries no test library (JUnit, AssertJ, opentest4j)")
  void noTestLibraries() throws IOException {
    List<String> offending = new ArrayList<>();
    try (ZipInputStream jar =
        new ZipInputStream(new ByteArrayInputStream(CONTENT.get(top + "lib/cutover.jar")))) {
      for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
        for (String prefix : TEST_LIBRARIES) {
          if (e.getName().startsWith(prefix)) {
            offending.add(e.getName());
          }
        }
      }
    }
    assertThat(offending).as("test-library classes in lib/cutover.jar").isEmpty();
  }

  @Test
  @DisplayName("bin/cutover, unpacked, runs the CLI with the JAVA_HOME it is given")
  void launcherRuns(@TempDir Path dir) throws Exception {
    for (Map.Entry<String, byte[]> e : CONTENT.entrySet()) {
      Path file = dir.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, e.getValue());
    }
    Path launcher = dir.resolve(top + "bin/cutover");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    // Through a symbolic link, as when linked from /usr/local/bin.
    Path link = Files.createSymbolicLink(dir.resolve("cutover"), launcher);

    ProcessBuilder pb = new ProcessBuilder(link.toString(), "--version").redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("JAVA_OPTS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bin/cutover --version finished").isTrue();

    assertThat(p.exitValue()).as("exit code; output: " + out).isZero();
    assertThat(out).startsWith("cutover ");
  }

  @Test
  @DisplayName("bin/cutover without a Java runtime says so and exits 127")
  void launcherWithoutJava(@TempDir Path dir) throws Exception {
    Path bin = dir.resolve("bin");
    Files.createDirectories(bin);
    Path launcher = bin.resolve("cutover");
    Files.write(launcher, CONTENT.get(top + "bin/cutover"));
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

    ProcessBuilder pb =
        new ProcessBuilder("/bin/sh", launcher.toString(), "--version").redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", dir.resolve("no-such-jdk").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).isEqualTo(127);
    assertThat(out).contains("no Java runtime found", "JAVA_HOME");
  }
}
