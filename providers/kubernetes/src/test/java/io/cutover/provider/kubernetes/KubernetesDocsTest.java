// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
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

/**
 * Keeps docs/kubernetes.md honest: every {@code ```java} block (tagged {@code // example: NAME})
 * compiles against this module's test class path (the Kubernetes providers, core, the Prometheus
 * provider) with every lint warning an error; the Role on the page is the one the RBAC tests check;
 * every connection key of {@link KubernetesClients} is documented.
 */
class KubernetesDocsTest {
  private static final String DOC = "docs/kubernetes.md";
  private static final String PACKAGE = "io.cutover.docs.kubernetes";

  @TempDir static Path classes;

  private static String page = "";
  private static final Map<String, String> examples = new LinkedHashMap<>();
  private static final Map<String, String> yamlAfterMarker = new LinkedHashMap<>();

  @BeforeAll
  static void readPage() throws IOException {
    page = Files.readString(projectRoot().resolve(DOC), StandardCharsets.UTF_8);
    String[] lines = page.split("\n", -1);
    String marker = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("<!-- rbac-role:")) {
        marker = line.substring("<!-- rbac-role:".length(), line.indexOf("-->")).strip();
        continue;
      }
      if (!line.startsWith("```") || line.equals("```")) {
        continue;
      }
      String lang = line.substring(3).strip();
      StringBuilder block = new StringBuilder();
      for (i++; i < lines.length && !lines[i].strip().equals("```"); i++) {
        block.append(lines[i]).append('\n');
      }
      String code = block.toString();
      if (lang.equals("java")) {
        String tag = code.lines().findFirst().orElse("").strip();
        assertThat(tag).as("first line of a java block in " + DOC).startsWith("// example:");
        examples.put(tag.substring("// example:".length()).strip(), code);
      } else if (lang.equals("yaml") && marker != null) {
        yamlAfterMarker.put(marker, code);
      }
      marker = null;
    }
  }

  @Test
  @DisplayName("every java block of docs/kubernetes.md compiles without a warning")
  void examplesCompile() throws IOException {
    assertThat(examples).as("java examples in " + DOC).containsKey("gateway-canary");
    List<JavaFileObject> sources = new ArrayList<>();
    examples.forEach((name, code) -> sources.add(source(name, code)));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "-classpath",
              System.getProperty("java.class.path"),
              "-d",
              classes.toString(),
              "-proc:none",
              "-Xlint:all,-processing,-classfile");
      Boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
      assertThat(diagnostics.getDiagnostics())
          .as("javac diagnostics for the examples of " + DOC)
          .extracting(KubernetesDocsTest::render)
          .isEmpty();
      assertThat(ok).isTrue();
    }
  }

  @Test
  @DisplayName("the Role on the page is the resource file the RBAC tests check")
  void roleMatchesTheTestedOne() throws IOException {
    String path = "providers/kubernetes/src/test/resources" + RbacRole.RESOURCE;
    assertThat(yamlAfterMarker).as("a yaml block after <!-- rbac-role: ... -->").containsKey(path);
    String file;
    try (InputStream in =
        Objects.requireNonNull(getClass().getResourceAsStream(RbacRole.RESOURCE))) {
      file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String withoutHeader =
        file.lines().dropWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
    assertThat(yamlAfterMarker.get(path)).isEqualTo(withoutHeader);
  }

  @Test
  @DisplayName("every connection key of KubernetesClients is in the configuration table")
  void connectionKeysDocumented() {
    for (String key : KubernetesClients.KEYS) {
      assertThat(page).as("a row for key '%s' in %s", key, DOC).contains("| `" + key + "` |");
    }
  }

  /** The block as a class whose static run() holds the block's statements. */
  private static JavaFileObject source(String name, String code) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : code.split("\n")) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String className = className(name);
    String src =
        "package "
            + PACKAGE
            + ";\n"
            + imports
            + "\npublic final class "
            + className
            + " {\n  public static void run() throws Exception {\n"
            + body
            + "  }\n}\n";
    return new SimpleJavaFileObject(
        URI.create("string:///" + PACKAGE.replace('.', '/') + "/" + className + ".java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return src;
      }
    };
  }

  private static String className(String name) {
    StringBuilder sb = new StringBuilder("Example");
    for (String part : name.split("[^A-Za-z0-9]+")) {
      if (!part.isEmpty()) {
        sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return sb.toString();
  }

  private static String render(Diagnostic<? extends JavaFileObject> d) {
    return d.getKind()
        + " "
        + (d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ")
        + d.getMessage(Locale.ROOT);
  }

  private static Path projectRoot() {
    String configured = System.getProperty("cutover.project.root");
    if (configured != null && Files.exists(Path.of(configured, DOC))) {
      return Path.of(configured);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(DOC))) {
        return dir;
      }
    }
    throw new AssertionError(
        "cannot find " + DOC + ": set -Dcutover.project.root or run from inside the project");
  }
}
