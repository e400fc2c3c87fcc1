// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.core.Cutover;
import io.cutover.provider.local.router.InProcessRouter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What Cutover costs a host before it does anything.
 *
 * <ul>
 *   <li>{@code core.runtime_jars_mb}: cutover-core and its runtime dependencies, the bytes a host
 *       adds to its classpath (MB = 10^6 bytes). The closure is read from the POMs: the project's
 *       own modules' {@code pom.xml}, and the {@code META-INF/maven/.../pom.xml} inside every
 *       dependency jar on this JVM's classpath (compile and runtime scope, not optional);
 *       cutover-core and cutover-api count as their jars would (the compiled classes). {@code
 *       core.runtime_jars} is how many.
 *   <li>{@code engine.build_ms}: the first {@code Cutover.builder()...build()} in this fresh JVM,
 *       with in-memory providers (an in-process router, a fleet that launches nothing, the default
 *       in-memory journal), class loading included; {@code engine.build_ms_warm}: the median of the
 *       next {@code builds}, each closed again.
 * </ul>
 *
 * <p>Arguments: {@code [builds]} (default 50).
 */
public final class FootprintBenchmark {
  private static final Pattern DEPENDENCY =
      Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
  private static final Pattern DEPENDENCIES =
      Pattern.compile(
          "<dependencyManagement>.*?</dependencyManagement>|<plugins>.*?</plugins>"
              + "|<profiles>.*?</profiles>",
          Pattern.DOTALL);

  private FootprintBenchmark() {}

  public static void main(String[] args) throws Exception {
    int builds = args.length > 0 ? Integer.parseInt(args[0]) : 50;

    long t0 = System.nanoTime();
    build().close();
    double cold = (System.nanoTime() - t0) / 1e6;
    List<Double> warm = new ArrayList<>();
    for (int i = 0; i < builds; i++) {
      long t = System.nanoTime();
      Cutover c = build();
      warm.add((System.nanoTime() - t) / 1e6);
      c.close();
    }
    Collections.sort(warm);

    Map<String, Path> classpath = classpath();
    if (!classpath.containsKey("cutover-core")) {
      throw new IllegalStateException(
          "cutover-core is not on java.class.path ("
              + classpath.keySet()
              + "); nothing to measure");
    }
    Path root = Path.of(".").toAbsolutePath().normalize();
    Set<String> closure = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of("cutover-core"));
    long bytes = 0;
    while (!todo.isEmpty()) {
      String artifact = todo.pop();
      if (!closure.add(artifact)) {
        continue;
      }
      String pom = pom(artifact, classpath, root);
      Path entry = classpath.get(artifact);
      if (entry != null) {
        bytes += size(entry);
      } else {
        System.err.println("not on the classpath, not counted: " + artifact);
      }
      if (pom == null) {
        System.err.println("no POM found for " + artifact + "; its dependencies are not followed");
        continue;
      }
      for (String dep : runtimeDependencies(pom)) {
        if (classpath.containsKey(dep) || dep.startsWith("cutover-")) {
          todo.add(dep);
        }
      }
    }
    System.err.println("cutover-core runtime closure: " + closure);
    System.out.printf(Locale.ROOT, "BENCH core.runtime_jars_mb %.2f MB%n", bytes / 1e6);
    System.out.printf(Locale.ROOT, "BENCH core.runtime_jars %d count%n", closure.size());
    System.out.printf(Locale.ROOT, "BENCH engine.build_ms %.1f ms%n", cold);
    System.out.printf(
        Locale.ROOT,
        "BENCH engine.build_ms_warm %.3f ms%n",
        warm.isEmpty() ? cold : warm.get(warm.size() / 2));
  }

  private static Cutover build() {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .fleet(new EngineBenchmark.BenchFleet())
        .router(InProcessRouter.create())
        .build();
  }

  /**
   * Classpath entries by artifact id: jars by their name, the reactor's target/classes by module.
   */
  private static Map<String, Path> classpath() {
    Map<String, Path> out = new LinkedHashMap<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      if (name.endsWith(".jar")) {
        Matcher m = Pattern.compile("(.+?)-\\d.*\\.jar").matcher(name);
        out.putIfAbsent(m.matches() ? m.group(1) : name, p);
      } else if (name.equals("classes") && p.getParent() != null) {
        Path module = p.getParent().getParent();
        if (module != null && Files.isRegularFile(module.resolve("pom.xml"))) {
          try {
            String pom = Files.readString(module.resolve("pom.xml"));
            out.putIfAbsent(ownArtifactId(pom), p);
          } catch (IOException ex) {
            System.err.println("cannot read " + module.resolve("pom.xml") + ": " + ex);
          }
        }
      }
    }
    return out;
  }

  private static String ownArtifactId(String pom) {
    String withoutParent = pom.replaceFirst("(?s)<parent>.*?</parent>", "");
    Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(withoutParent);
    return m.find() ? m.group(1).trim() : "";
  }

  private static @Nullable String pom(String artifact, Map<String, Path> classpath, Path root)
      throws IOException {
    Path entry = classpath.get(artifact);
    if (entry != null && Files.isDirectory(entry)) {
      Path module = entry.getParent().getParent();
      return module == null ? null : Files.readString(module.resolve("pom.xml"));
    }
    if (entry == null) {
      return null;
    }
    // A jar from a Maven repository has its POM next to it (Gradle-built jars embed none).
    String jarName = entry.getFileName().toString();
    Path sibling = entry.resolveSibling(jarName.substring(0, jarName.length() - 4) + ".pom");
    if (Files.isRegularFile(sibling)) {
      return Files.readString(sibling);
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      for (JarEntry e : Collections.list(jar.entries())) {
        if (e.getName().startsWith("META-INF/maven/")
            && e.getName().endsWith("/" + artifact + "/pom.xml")) {
          try (InputStream in = jar.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
        }
      }
    }
    return null;
  }

  /** Artifact ids of a POM's compile and runtime dependencies that are not optional. */
  static List<String> runtimeDependencies(String pom) {
    String deps = DEPENDENCIES.matcher(pom).replaceAll("");
    List<String> out = new ArrayList<>();
    Matcher m = DEPENDENCY.matcher(deps);
    while (m.find()) {
      String d = m.group(1).replaceAll("(?s)<exclusions>.*?</exclusions>", "");
      String scope = tag(d, "scope");
      if (scope != null && !scope.equals("compile") && !scope.equals("runtime")) {
        continue;
      }
      if ("true".equals(tag(d, "optional"))) {
        continue;
      }
      String id = tag(d, "artifactId");
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  private static @Nullable String tag(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">\\s*([^<]+?)\\s*</" + name + ">").matcher(xml);
    return m.find() ? m.group(1) : null;
  }

  private static long size(Path entry) throws IOException {
    if (Files.isRegularFile(entry)) {
      return Files.size(entry);
    }
    // A reactor module: its packaged jar when there is one, else its classes (uncompressed, so
    // an overestimate).
    Path target = entry.getParent();
    if (target != null) {
      try (Stream<Path> jars = Files.list(target)) {
        List<Path> packaged =
            jars.filter(
                    j -> {
                      String n = j.getFileName().toString();
                      return n.endsWith(".jar")
                          && !n.endsWith("-sources.jar")
                          && !n.endsWith("-javadoc.jar")
                          && !n.endsWith("-tests.jar");
                    })
                .toList();
        if (packaged.size() == 1) {
          return Files.size(packaged.get(0));
        }
      }
    }
    try (Stream<Path> files = Files.walk(entry)) {
      return files.filter(Files::isRegularFile).mapToLong(FootprintBenchmark::fileSize).sum();
    }
  }

  private static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
