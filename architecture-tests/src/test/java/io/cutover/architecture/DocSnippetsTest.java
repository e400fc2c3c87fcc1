// SPDX-License-Identifier: Apache-2.0
package io.cutover.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Compiles and runs the Java blocks of README.md, docs/providers.md and the other pages of {@code
 * DOCS} (docs/strategies.md and docs/kubernetes.md have their own tests), against every module's
 * classes. A block whose first line is {@code // file: a/b/C.java} is a compilation unit; any other
 * block is a sequence of statements, run unless an HTML comment {@code <!-- given: Type name, ...
 * -->} right before it declares free variables (then it is only compiled, with them as parameters).
 * A block named {@code *ContractTest.java} is a contract kit subclass: it is run with the JUnit
 * launcher and must pass. (Only the two failure tests may be skipped, for want of {@code
 * arrangeNextApplyFailure}, as the page says.) A {@code text} block after {@code <!-- file:
 * META-INF/services/... -->} is a service registration, put on the class path of the statements (so
 * discovery finds the documented factory). The {@code xml} block after {@code <!-- dependency-set
 * -->} must name the build's own versions.
 */
class DocSnippetsTest {
  private static final List<String> DOCS =
      List.of(
          "README.md",
          "docs/providers.md",
          "docs/artifacts.md",
          "docs/gates.md",
          "docs/journal.md",
          "docs/local.md",
          "docs/sizing.md",
          "docs/spec.md");

  /** Docs whose blocks have a test of their own (DocsExamplesTest in core, KubernetesDocsTest). */
  private static final List<String> OWN_TESTS = List.of("docs/strategies.md", "docs/kubernetes.md");

  private static final List<String> IMPORTS =
      List.of(
          "io.cutover.api.*",
          "io.cutover.api.plan.*",
          "io.cutover.api.rollout.*",
          "io.cutover.spi.*",
          "io.cutover.core.*",
          "io.cutover.core.gate.*",
          "io.cutover.core.journal.*",
          "io.cutover.core.policy.*",
          "io.cutover.core.strategy.*",
          "io.cutover.provider.local.store.*",
          "io.cutover.provider.local.fleet.*",
          "io.cutover.provider.local.router.*",
          "io.cutover.provider.oci.*",
          "io.cutover.provider.haproxy.*",
          "io.cutover.provider.nginx.*",
          "java.nio.file.*",
          "java.util.concurrent.*",
          "io.cutover.simulator.*",
          "io.cutover.testkit.*",
          "io.cutover.testkit.contract.*",
          "java.time.*",
          "java.util.*");
  private static final Pattern GIVEN = Pattern.compile("<!--\\s*given:(.*?)-->");
  private static final Pattern BLOCK_IMPORTS = Pattern.compile("imports:([^>]*?)-->");
  private static final Pattern FILE_COMMENT = Pattern.compile("<!--\\s*file:\\s*(\\S+)\\s*-->");

  /** One fenced block. */
  record Block(String doc, int line, String lang, String code, String comment) {}

  /** A statement block, as a class. */
  record Statements(Block block, String className, String given, boolean runs) {}

  @TempDir static Path classes;

  private static final List<Block> blocks = new ArrayList<>();
  private static final Map<String, Block> files = new LinkedHashMap<>();
  private static final List<Statements> statements = new ArrayList<>();
  private static URLClassLoader loader;

  @BeforeAll
  static void compileEveryBlock() throws IOException {
    for (String doc : DOCS) {
      blocks.addAll(parse(doc, Files.readString(root().resolve(doc), StandardCharsets.UTF_8)));
    }
    List<JavaFileObject> sources = new ArrayList<>();
    Map<String, Set<String>> docPackages = new LinkedHashMap<>();
    for (Block b : blocks) {
      if (!b.lang().equals("java")) {
        continue;
      }
      String first = b.code().lines().findFirst().orElse("");
      if (first.startsWith("// file: ")) {
        String path = first.substring("// file: ".length()).trim();
        files.put(path, b);
        sources.add(source(path, b.code()));
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
          docPackages
              .computeIfAbsent(b.doc(), d -> new LinkedHashSet<>())
              .add(path.substring(0, slash).replace('/', '.') + ".*");
        }
      }
    }
    for (Block b : blocks) {
      if (!b.lang().equals("java") || b.code().startsWith("// file: ")) {
        continue;
      }
      Matcher m = GIVEN.matcher(b.comment());
      String given = m.find() ? m.group(1).trim() : "";
      String name = "Snippet_" + b.doc().replaceAll("[^A-Za-z0-9]", "_") + "_line" + b.line();
      StringBuilder src = new StringBuilder("package snippets;\n");
      for (String i : IMPORTS) {
        src.append("import ").append(i).append(";\n");
      }
      for (String p : docPackages.getOrDefault(b.doc(), Set.of())) {
        src.append("import ").append(p).append(";\n");
      }
      Matcher im = BLOCK_IMPORTS.matcher(b.comment());
      if (im.find()) {
        for (String i : im.group(1).split(",")) {
          src.append("import ").append(i.trim()).append(";\n");
        }
      }
      src.append("import static io.cutover.testkit.CutoverAssertions.assertThat;\n")
          .append("public final class ")
          .append(name)
          .append(" {\n  public static void run(")
          .append(given)
          .append(") throws Exception {\n")
          .append(b.code())
          .append("\n  }\n}\n");
      sources.add(source("snippets/" + name + ".java", src.toString()));
      boolean runs = given.isEmpty() && !b.comment().contains("compile-only");
      statements.add(new Statements(b, "snippets." + name, given, runs));
    }
    assertThat(statements).as("statement blocks").isNotEmpty();

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "-classpath",
              System.getProperty("java.class.path"),
              "-d",
              classes.toString(),
              "-proc:none",
              "-Xlint:all,-processing,-serial,-try");
      Boolean ok = javac.getTask(null, fm, diagnostics, options, null, sources).call();
      assertThat(diagnostics.getDiagnostics())
          .as("javac diagnostics for the Java blocks of %s", DOCS)
          .extracting(DocSnippetsTest::render)
          .isEmpty();
      assertThat(ok).isTrue();
    }
    for (Block b : blocks) {
      Matcher m = FILE_COMMENT.matcher(b.comment());
      if (b.lang().equals("text") && m.find()) {
        Path target = classes.resolve(m.group(1));
        Files.createDirectories(target.getParent());
        Files.writeString(target, b.code() + "\n", StandardCharsets.UTF_8);
      }
    }
    loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, DocSnippetsTest.class.getClassLoader());
  }

  @Test
  @DisplayName("every doc with a Java block is compiled by this test or by its own")
  void everyDocCovered() throws IOException {
    List<String> withJava = new ArrayList<>();
    try (var docs = Files.list(root().resolve("docs"))) {
      for (Path d : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        if (Files.readString(d, StandardCharsets.UTF_8).contains("```java")) {
          withJava.add("docs/" + d.getFileName());
        }
      }
    }
    withJava.add("README.md");
    List<String> covered = new ArrayList<>(DOCS);
    covered.addAll(OWN_TESTS);
    assertThat(covered).containsAll(withJava);
  }

  @Test
  @DisplayName("every statement block without free variables runs without an exception")
  void statementsRun() throws Exception {
    int ran = 0;
    for (Statements s : statements) {
      if (!s.runs()) {
        continue;
      }
      Method run = loader.loadClass(s.className()).getMethod("run");
      Thread t = Thread.currentThread();
      ClassLoader before = t.getContextClassLoader();
      t.setContextClassLoader(loader);
      try {
        run.invoke(null);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw new AssertionError(
            "block at " + s.block().doc() + ":" + s.block().line() + " threw", e.getCause());
      } finally {
        t.setContextClassLoader(before);
      }
      ran++;
    }
    assertThat(ran).as("statement blocks run").isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("the README's testkit block sets up a stable release before deploying")
  void readmeTestkitBlock() {
    assertThat(statements)
        .filteredOn(s -> s.block().doc().equals("README.md") && s.runs())
        .singleElement()
        .satisfies(s -> assertThat(s.block().code()).contains("h.adopt(v1"));
  }

  @Test
  @DisplayName("the documented kit subclass is under 30 lines and its router passes the kit")
  void kitSubclassPasses() throws Exception {
    List<String> kits =
        files.keySet().stream().filter(p -> p.endsWith("ContractTest.java")).toList();
    assertThat(kits).as("kit subclasses in the docs").isNotEmpty();
    for (String path : kits) {
      assertThat(files.get(path).code().lines().count()).as("lines of %s", path).isLessThan(30);
      String className = path.substring(0, path.length() - ".java".length()).replace('/', '.');
      Class<?> kit = loader.loadClass(className);
      List<String> passed = new ArrayList<>();
      List<String> notApplicable = new ArrayList<>();
      Map<String, Throwable> failed = new LinkedHashMap<>();
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit)).build(),
              new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                  if (!id.isTest()) {
                    return;
                  }
                  if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.add(id.getDisplayName());
                  } else if (result.getStatus() == TestExecutionResult.Status.ABORTED
                      && result
                          .getThrowable()
                          .map(Throwable::getMessage)
                          .orElse("")
                          .contains("cannot be made to fail")) {
                    // The documented example declares no failure arrangement, as the page says.
                    notApplicable.add(id.getDisplayName());
                  } else {
                    failed.put(
                        id.getDisplayName(),
                        result.getThrowable().orElse(new AssertionError(result.getStatus())));
                  }
                }
              });
      assertThat(failed).as("failed kit tests of %s", path).isEmpty();
      assertThat(passed).as("passed kit tests of %s", path).hasSizeGreaterThan(10);
      assertThat(notApplicable)
          .as("kit tests of %s skipped for want of arrangeNextApplyFailure", path)
          .hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  @DisplayName("every documented service registration names a documented factory")
  void serviceRegistrations() {
    List<Block> registrations =
        blocks.stream()
            .filter(b -> b.lang().equals("text") && FILE_COMMENT.matcher(b.comment()).find())
            .toList();
    assertThat(registrations).isNotEmpty();
    for (Block b : registrations) {
      b.code()
          .lines()
          .map(String::trim)
          .filter(l -> !l.isEmpty())
          .forEach(
              impl ->
                  assertThat(files)
                      .as("a documented class %s", impl)
                      .containsKey(impl.replace('.', '/') + ".java"));
    }
  }

  @Test
  @DisplayName("the documented test dependency set names the build's JUnit and AssertJ versions")
  void dependencySet() throws IOException {
    String pom = Files.readString(root().resolve("pom.xml"), StandardCharsets.UTF_8);
    String junit = property(pom, "junit.version");
    String assertj = property(pom, "assertj.version");
    String version = projectVersion(pom);
    Block set =
        blocks.stream()
            .filter(b -> b.lang().equals("xml") && b.comment().contains("dependency-set"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no <!-- dependency-set --> xml block"));
    assertThat(versionOf(set.code(), "junit-bom")).isEqualTo(junit);
    assertThat(versionOf(set.code(), "assertj-core")).isEqualTo(assertj);
    assertThat(versionOf(set.code(), "cutover-bom")).isEqualTo(version);
  }

  // ---------------------------------------------------------------- parsing

  private static List<Block> parse(String doc, String text) {
    List<Block> out = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("```") || line.length() == 3) {
        continue;
      }
      String lang = line.substring(3).trim();
      String comment = "";
      for (int j = i - 1; j >= 0 && j >= i - 2; j--) {
        if (lines.get(j).trim().startsWith("<!--")) {
          comment = lines.get(j).trim();
          break;
        }
      }
      StringBuilder code = new StringBuilder();
      int start = i + 1;
      i++;
      while (i < lines.size() && !lines.get(i).startsWith("```")) {
        code.append(lines.get(i)).append('\n');
        i++;
      }
      out.add(new Block(doc, start, lang, code.toString().stripTrailing(), comment));
    }
    return out;
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertThat(m.find()).as("property %s in pom.xml", name).isTrue();
    return m.group(1).trim();
  }

  private static String projectVersion(String pom) {
    Matcher m =
        Pattern.compile("<artifactId>cutover-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(m.find()).as("the parent's version in pom.xml").isTrue();
    return m.group(1).trim();
  }

  private static String versionOf(String xml, String artifactId) {
    Matcher m =
        Pattern.compile(
                "<artifactId>" + Pattern.quote(artifactId) + "</artifactId>\\s*<version>([^<]+)<")
            .matcher(xml);
    assertThat(m.find()).as("a version for %s in the dependency set", artifactId).isTrue();
    return m.group(1).trim();
  }

  private static Path root() {
    String prop = System.getProperty("cutover.project.root");
    Path p = prop != null ? Paths.get(prop) : Paths.get("..");
    if (!Files.exists(p.resolve("README.md"))) {
      p = Paths.get("..");
    }
    return p.toAbsolutePath().normalize();
  }

  private static JavaFileObject source(String path, String code) {
    return new SimpleJavaFileObject(URI.create("string:///" + path), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
  }

  private static String render(Diagnostic<? extends JavaFileObject> d) {
    return d.getKind()
        + " "
        + (d.getSource() == null ? "" : d.getSource().getName())
        + ":"
        + d.getLineNumber()
        + " "
        + d.getMessage(Locale.ROOT);
  }
}
