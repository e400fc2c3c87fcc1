// SPDX-License-Identifier: Apache-2.0
package io.cutover.release;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The reactor as its POM files say it is: every module reachable from the root POM's {@code
 * <modules>}, read raw (not the effective model), which is what a release deploys.
 */
final class Reactor {

  /**
   * One module's POM. {@code published} is the build's one rule: not {@code
   * maven.deploy.skip=true}.
   */
  record Module(Path dir, Element pom) {

    String artifactId() {
      return text(pom, "artifactId").orElseThrow();
    }

    String packaging() {
      return text(pom, "packaging").orElse("jar");
    }

    boolean published() {
      return !child(pom, "properties")
          .flatMap(p -> text(p, "maven.deploy.skip"))
          .map(Boolean::parseBoolean)
          .orElse(false);
    }

    /** A published jar: what the BOM must list. */
    boolean publishedJar() {
      return published() && packaging().equals("jar");
    }

    Optional<String> parentArtifactId() {
      return child(pom, "parent").flatMap(p -> text(p, "artifactId"));
    }
  }

  private Reactor() {}

  static Path root() {
    String configured = System.getProperty("cutover.project.root");
    Path root =
        configured != null ? Paths.get(configured) : Paths.get("").toAbsolutePath().getParent();
    return root.toAbsolutePath().normalize();
  }

  /** The root POM and every module below it, depth first in declaration order. */
  static List<Module> modules() {
    List<Module> all = new ArrayList<>();
    collect(root(), all);
    return all;
  }

  private static void collect(Path dir, List<Module> into) {
    Element pom = read(dir.resolve("pom.xml"));
    into.add(new Module(dir, pom));
    child(pom, "modules")
        .ifPresent(
            modules ->
                children(modules, "module")
                    .forEach(
                        m -> collect(dir.resolve(m.getTextContent().trim()).normalize(), into)));
  }

  static Element read(Path pom) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new AssertionError("cannot read " + pom + ": " + e.getMessage(), e);
    }
  }

  static Optional<Element> child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        found.add(e);
      }
    }
    return found;
  }

  static Optional<String> text(Element parent, String name) {
    return child(parent, name).map(e -> e.getTextContent().trim()).filter(s -> !s.isEmpty());
  }
}
