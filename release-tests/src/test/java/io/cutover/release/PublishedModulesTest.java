// SPDX-License-Identifier: Apache-2.0
package io.cutover.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.release.Reactor.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * What Maven Central and a careful user require of the published POMs, and the BOM held to the
 * reactor. "Published" is one rule for the whole build: a module without {@code
 * maven.deploy.skip=true}.
 */
class PublishedModulesTest {

  private static final List<Module> MODULES = Reactor.modules();
  private static final Map<String, Module> BY_ID =
      MODULES.stream().collect(Collectors.toMap(Module::artifactId, Function.identity()));

  @Test
  @DisplayName("the BOM lists exactly the published jar modules of the reactor")
  void bomListsExactlyThePublishedModules() {
    Element bom = BY_ID.get("cutover-bom").pom();
    List<String> listed =
        Reactor.child(bom, "dependencyManagement")
            .flatMap(dm -> Reactor.child(dm, "dependencies"))
            .map(deps -> Reactor.children(deps, "dependency"))
            .orElseThrow(
                () -> new AssertionError("bom/pom.xml has no dependencyManagement/dependencies"))
            .stream()
            .map(
                d ->
                    Reactor.text(d, "groupId").orElse("")
                        + ":"
                        + Reactor.text(d, "artifactId").orElse(""))
            .collect(Collectors.toList());
    List<String> published =
        MODULES.stream()
            .filter(Module::publishedJar)
            .map(m -> "io.cutover:" + m.artifactId())
            .collect(Collectors.toList());

    assertThat(listed)
        .as(
            "bom/pom.xml must list every module without maven.deploy.skip=true, and nothing else "
                + "(add a new published module to the BOM, or set maven.deploy.skip=true in an unpublished one)")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(published);
  }

  @Test
  @DisplayName("the unpublished modules are the benchmarks and the test-only modules")
  void unpublishedModulesAreTestOnly() {
    List<String> unpublished =
        MODULES.stream()
            .filter(m -> !m.published())
            .map(Module::artifactId)
            .collect(Collectors.toList());

    assertThat(unpublished)
        .contains("cutover-benchmarks", "cutover-release-tests")
        .allMatch(
            id ->
                id.endsWith("-tests")
                    || id.endsWith("-fixtures")
                    || id.equals("cutover-benchmarks"),
            "is a benchmark, test or fixture module");
  }

  @Test
  @DisplayName("every published POM has its own name and description")
  void everyPublishedPomHasItsOwnNameAndDescription() {
    for (Module m : MODULES) {
      if (!m.published()) {
        continue;
      }
      assertThat(Reactor.text(m.pom(), "name")).as(m.dir() + "/pom.xml <name>").isPresent();
      assertThat(Reactor.text(m.pom(), "description"))
          .as(m.dir() + "/pom.xml <description>")
          .isPresent();
    }
  }

  @Test
  @DisplayName(
      "every published POM gets licence, URL, SCM and developers from the parent, or (the BOM) has its own")
  void everyPublishedPomCarriesTheReleaseMetadata() {
    for (Module m : MODULES) {
      if (!m.published()) {
        continue;
      }
      Module holder = metadataHolder(m);
      assertReleaseMetadata(holder, m);
    }
  }

  @Test
  @DisplayName(
      "the BOM repeats the parent's metadata exactly (it has no parent to inherit it from)")
  void bomMetadataMatchesTheParent() {
    Element parent = BY_ID.get("cutover-parent").pom();
    Element bom = BY_ID.get("cutover-bom").pom();
    for (String element : List.of("url", "licenses", "developers", "scm")) {
      assertThat(normalized(Reactor.child(bom, element).orElseThrow()))
          .as("bom/pom.xml <" + element + "> must equal the parent's")
          .isEqualTo(normalized(Reactor.child(parent, element).orElseThrow()));
    }
  }

  @Test
  @DisplayName("LICENSE is the Apache License 2.0 and NOTICE names the project")
  void licenceFilesAtTheRoot() throws IOException {
    String licence = Files.readString(Reactor.root().resolve("LICENSE"));
    assertThat(licence)
        .contains("Apache License", "Version 2.0, January 2004", "END OF TERMS AND CONDITIONS")
        .hasLineCount(202);
    assertThat(Files.readString(Reactor.root().resolve("NOTICE"))).startsWith("Cutover\n");
  }

  /**
   * The module itself if it has no parent (the BOM), else the root of its parent chain in the
   * reactor.
   */
  private static Module metadataHolder(Module m) {
    Module current = m;
    while (current.parentArtifactId().isPresent()) {
      String parentId = current.parentArtifactId().get();
      Module parent = BY_ID.get(parentId);
      assertThat(parent)
          .as(m.dir() + "/pom.xml: parent " + parentId + " must be in the reactor")
          .isNotNull();
      current = parent;
    }
    return current;
  }

  private static void assertReleaseMetadata(Module holder, Module of) {
    String where = holder.dir() + "/pom.xml (for " + of.artifactId() + ")";
    Element pom = holder.pom();
    assertThat(Reactor.text(pom, "url"))
        .as(where + " <url>")
        .hasValueSatisfying(u -> assertThat(u).startsWith("https://"));
    List<Element> licences =
        Reactor.child(pom, "licenses").map(l -> Reactor.children(l, "license")).orElse(List.of());
    assertThat(licences).as(where + " <licenses>").hasSize(1);
    assertThat(Reactor.text(licences.get(0), "name"))
        .as(where + " licence name")
        .hasValue("Apache-2.0");
    assertThat(Reactor.text(licences.get(0), "url"))
        .as(where + " licence url")
        .hasValue("https://www.apache.org/licenses/LICENSE-2.0.txt");
    Element scm =
        Reactor.child(pom, "scm").orElseThrow(() -> new AssertionError(where + " has no <scm>"));
    for (String e : List.of("connection", "developerConnection", "url")) {
      assertThat(Reactor.text(scm, e)).as(where + " <scm><" + e + ">").isPresent();
    }
    assertThat(
            Reactor.child(pom, "developers")
                .map(d -> Reactor.children(d, "developer"))
                .orElse(List.of()))
        .as(where + " <developers>")
        .isNotEmpty()
        .allSatisfy(
            d -> assertThat(Reactor.text(d, "name")).as(where + " developer name").isPresent());
    // Without these, Maven appends each module's artifactId to the inherited URL and SCM links.
    assertThat(pom.getAttribute("child.project.url.inherit.append.path"))
        .as(where)
        .isEqualTo("false");
    assertThat(scm.getAttribute("child.scm.url.inherit.append.path")).as(where).isEqualTo("false");
  }

  private static String normalized(Element e) {
    return e.getTextContent().replaceAll("\\s+", " ").trim();
  }
}
