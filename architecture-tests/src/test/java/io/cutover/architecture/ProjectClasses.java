// SPDX-License-Identifier: Apache-2.0
package io.cutover.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.importer.Locations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The classes the rules read. Main classes come from this module's test class path (every published
 * module is a dependency); test classes are read from each module's {@code target/test-classes},
 * which the reactor has compiled before this module's tests run (the dependencies order it).
 *
 * <p>A class's module is where its class file lives: the folder that holds {@code target/}.
 * Packages alone cannot say it, because a test may live in another module's package.
 */
final class ProjectClasses {

  private static final String ROOT_PACKAGE = "io.cutover";
  private static final String THIS_MODULE = "architecture-tests";

  /** This module's own tests are rules, not subjects. */
  private static final ImportOption NOT_THIS_MODULE =
      location -> !location.contains("/" + THIS_MODULE + "/target/");

  private static JavaClasses main;
  private static JavaClasses mainAndTests;

  private ProjectClasses() {}

  /** Product classes of every published module. */
  static synchronized JavaClasses main() {
    if (main == null) {
      main =
          new ClassFileImporter()
              .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
              .withImportOption(NOT_THIS_MODULE)
              .importPackages(ROOT_PACKAGE);
    }
    return main;
  }

  /** Product classes plus every module's test classes. */
  static synchronized JavaClasses mainAndTests() {
    if (mainAndTests == null) {
      List<Path> testDirs = testClassDirectories();
      if (testDirs.isEmpty()) {
        throw new IllegalStateException(
            "found no */target/test-classes under "
                + projectRoot()
                + ": run through the reactor (./mvnw verify) so the modules' tests are compiled first");
      }
      Set<Location> locations = new LinkedHashSet<>(Locations.ofPackage(ROOT_PACKAGE));
      testDirs.forEach(dir -> locations.add(Location.of(dir)));
      mainAndTests =
          new ClassFileImporter().withImportOption(NOT_THIS_MODULE).importLocations(locations);
    }
    return mainAndTests;
  }

  /**
   * The module (folder relative to the project root, e.g. {@code providers/oci}) a class was read
   * from.
   */
  static String moduleOf(JavaClass c) {
    String uri = c.getSource().map(s -> s.getUri().toString()).orElse("");
    int target = uri.lastIndexOf("/target/");
    if (target < 0) {
      return "(outside the project: " + uri + ")";
    }
    String folder = uri.substring(0, target);
    if (folder.startsWith("jar:")) {
      folder =
          folder.substring(
              "jar:".length()); // a module's jar (verify) rather than its classes folder (test)
    }
    Path dir = Paths.get(java.net.URI.create(folder)).toAbsolutePath().normalize();
    Path root = projectRoot();
    return dir.startsWith(root) ? root.relativize(dir).toString() : dir.toString();
  }

  static Path projectRoot() {
    String configured = System.getProperty("cutover.project.root");
    Path root =
        configured != null ? Paths.get(configured) : Paths.get("").toAbsolutePath().getParent();
    return root.toAbsolutePath().normalize();
  }

  private static List<Path> testClassDirectories() {
    Path root = projectRoot();
    try (Stream<Path> walk = Files.walk(root, 4)) {
      return walk.filter(
              p -> p.endsWith(Paths.get("target", "test-classes")) && Files.isDirectory(p))
          .filter(p -> !root.relativize(p).startsWith(THIS_MODULE))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the modules' test classes under " + root, e);
    }
  }
}
