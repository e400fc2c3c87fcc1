// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.core.plan.PlanJson;
import io.cutover.core.strategy.PlanChecks;
import io.cutover.spi.PlanRequest;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Keeps docs/strategies.md honest: every {@code ```java} block is compiled against the test class
 * path and run. Blocks start with a tag comment: {@code // setup} (prepended to every example: it
 * declares {@code stable}, {@code target} and {@code request}), {@code // example: NAME} (must
 * declare {@code Plan plan}, which must be a valid plan of its strategy) or {@code // error: NAME}
 * (must throw {@link InvalidSpecException}). A {@code ```text} block preceded by {@code <!-- output
 * of: NAME -->} must equal the example's {@code plan.toTable()} or the error's message.
 */
class DocsExamplesTest {
  private static final String DOC = "docs/strategies.md";
  private static final String PACKAGE = "io.cutover.docs.examples";

  @TempDir static Path classes;

  private static String setup = "";
  private static final Map<String, String> examples = new LinkedHashMap<>();
  private static final Map<String, String> errors = new LinkedHashMap<>();
  private static final Map<String, String> outputs = new LinkedHashMap<>();
  private static URLClassLoader loader;

  @BeforeAll
  static void compileEveryBlock() throws IOException {
    parse(Files.readString(projectRoot().resolve(DOC), StandardCharsets.UTF_8));
    assertThat(setup).as("a // setup block").isNotEmpty();
    assertThat(examples).as("examples").isNotEmpty();

    List<JavaFileObject> sources = new ArrayList<>();
    examples.forEach((name, code) -> sources.add(source(name, code, "Plan", "plan")));
    errors.forEach((name, code) -> sources.add(source(name, code, "Object", "null")));
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
              "-Xlint:all,-processing");
      Boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
      assertThat(diagnostics.getDiagnostics())
          .as("javac diagnostics for the examples of " + DOC)
          .extracting(DocsExamplesTest::render)
          .isEmpty();
      assertThat(ok).isTrue();
    }
    loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, DocsExamplesTest.class.getClassLoader());
  }

  @Test
  @DisplayName("every example builds a valid plan of its strategy that survives JSON")
  void examplesProduceValidPlans() throws Exception {
    for (String name : examples.keySet()) {
      Object[] result = run(name);
      Plan plan = (Plan) result[0];
      PlanRequest request = (PlanRequest) result[1];
      assertThat(plan).as(name).isNotNull();
      assertThat(plan.target()).as(name).isEqualTo(request.target());
      PlanChecks.check(plan, request.replicas());
      assertThat(PlanJson.fromJson(PlanJson.toJson(plan))).as(name).isEqualTo(plan);
    }
    assertThat(examples.keySet())
        .as("one example per strategy at least")
        .contains("canary", "linear", "blue-green", "rolling", "recreate");
  }

  @Test
  @DisplayName("every error example throws InvalidSpecException")
  void errorExamplesThrow() throws Exception {
    for (String name : errors.keySet()) {
      try {
        run(name);
        fail("error example '" + name + "' did not throw");
      } catch (InvocationTargetException e) {
        assertThat(e.getCause()).as(name).isInstanceOf(InvalidSpecException.class);
      }
    }
  }

  @Test
  @DisplayName("every printed output in the page is what the code prints")
  void outputsMatch() throws Exception {
    assertThat(outputs).as("printed outputs").isNotEmpty();
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      String name = e.getKey();
      String actual;
      if (examples.containsKey(name)) {
        actual = ((Plan) run(name)[0]).toTable();
      } else if (errors.containsKey(name)) {
        try {
          run(name);
          throw new AssertionError(name + " did not throw");
        } catch (InvocationTargetException ex) {
          actual = ex.getCause().getMessage() + "\n";
        }
      } else {
        throw new AssertionError("output of unknown example '" + name + "'");
      }
      assertThat(e.getValue()).as("the output of '%s' printed in %s", name, DOC).isEqualTo(actual);
    }
  }

  private static Object[] run(String name) throws ReflectiveOperationException {
    Method run = loader.loadClass(PACKAGE + "." + className(name)).getMethod("run");
    return (Object[]) run.invoke(null);
  }

  private static void parse(String markdown) {
    String[] lines = markdown.split("\n", -1);
    String pendingOutput = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("<!-- output of:")) {
        pendingOutput = line.substring("<!-- output of:".length(), line.indexOf("-->")).strip();
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
        if (tag.equals("// setup")) {
          setup = code;
        } else if (tag.startsWith("// example:")) {
          examples.put(tag.substring("// example:".length()).strip(), code);
        } else if (tag.startsWith("// error:")) {
          errors.put(tag.substring("// error:".length()).strip(), code);
        } else {
          fail(
              "a java block in "
                  + DOC
                  + " starts with '"
                  + tag
                  + "' instead of // setup, // example: or // error:");
        }
      } else if (pendingOutput != null) {
        outputs.put(pendingOutput, code);
      }
      pendingOutput = null;
    }
  }

  /**
   * The block as a class whose run() executes the setup and the block and returns {result,
   * request}.
   */
  private static JavaFileObject source(String name, String code, String type, String result) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String block : List.of(setup, code)) {
      for (String line : block.split("\n")) {
        (line.startsWith("import ") ? imports : body).append(line).append('\n');
      }
    }
    String distinctImports =
        imports.toString().lines().distinct().collect(Collectors.joining("\n"));
    String src =
        "package "
            + PACKAGE
            + ";\n"
            + distinctImports
            + "\n"
            + "public final class "
            + className(name)
            + " {\n"
            + "  public static Object[] run() {\n"
            + body
            + "    "
            + type
            + " result = "
            + result
            + ";\n"
            + "    return new Object[] {result, request};\n"
            + "  }\n}\n";
    return new SimpleJavaFileObject(
        URI.create("string:///" + PACKAGE.replace('.', '/') + "/" + className(name) + ".java"),
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
    if (configured != null && Files.exists(Paths.get(configured, DOC))) {
      return Paths.get(configured);
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(DOC))) {
        return dir;
      }
    }
    throw new AssertionError(
        "cannot find " + DOC + ": set -Dcutover.project.root or run from inside the project");
  }
}
