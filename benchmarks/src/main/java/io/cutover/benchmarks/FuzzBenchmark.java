// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.testfixtures.fuzz.Fuzz;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The fuzz campaign at full size (docs/fuzzing.md): runs every jqwik fuzz property ({@code
 * *FuzzTest}) of the modules that own parsers, from their compiled test classes, with {@code
 * jqwik.tries.default} set to the given number of inputs per property (default 10 000; the test
 * suite runs 200).
 *
 * <p>The properties stay in their modules' test trees (only a module may use its own internal
 * packages); this harness loads those test classes over its own class path, which carries the
 * modules' main classes, the test fixtures and jqwik. {@code ./benchmarks/run} compiles them
 * ({@code -DskipTests} compiles tests, it only skips running them).
 *
 * <p>Prints {@code BENCH fuzz.<parser>.inputs <n> count} and {@code BENCH fuzz.<parser>.unexpected
 * <n> count} for every parser, and {@code BENCH fuzz.seconds <s> s}. Exits 1 if any property
 * failed. Argument: [inputs per property].
 */
public final class FuzzBenchmark {
  /** The modules whose test trees hold fuzz properties. */
  static final List<String> MODULES =
      List.of(
          "core",
          "providers/oci",
          "providers/local",
          "providers/prometheus",
          "providers/haproxy",
          "providers/http");

  private FuzzBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    List<Path> roots = new ArrayList<>();
    for (String m : MODULES) {
      Path dir = Path.of(m, "target", "test-classes").toAbsolutePath();
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            dir + " is missing: build the test classes first (./benchmarks/run fuzz does)");
      }
      roots.add(dir);
    }
    URL[] urls = new URL[roots.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = roots.get(i).toUri().toURL();
    }
    Path database = Files.createTempFile("cutover-fuzz", ".jqwik");
    long t0 = System.nanoTime();
    TestExecutionSummary summary;
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader tests = new URLClassLoader(urls, FuzzBenchmark.class.getClassLoader())) {
      Thread.currentThread().setContextClassLoader(tests);
      LauncherDiscoveryRequest request =
          LauncherDiscoveryRequestBuilder.request()
              .selectors(DiscoverySelectors.selectClasspathRoots(Set.copyOf(roots)))
              .filters(ClassNameFilter.includeClassNamePatterns(".*FuzzTest"))
              .configurationParameter("jqwik.tries.default", String.valueOf(tries))
              .configurationParameter("jqwik.database", database.toString())
              .configurationParameter("jqwik.failures.runfirst", "false")
              .configurationParameter("jqwik.reporting.onlyfailures", "true")
              .build();
      Launcher launcher = LauncherFactory.create();
      SummaryGeneratingListener listener = new SummaryGeneratingListener();
      launcher.execute(request, listener);
      summary = listener.getSummary();
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
      Files.deleteIfExists(database);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // jqwik's engine prints a banner to stdout without a line end: start the figures on a line of
    // their own.
    System.out.println();
    Map<String, Fuzz.Counts> counts = Fuzz.counts();
    counts.forEach(
        (parser, c) -> {
          System.out.printf(Locale.ROOT, "BENCH fuzz.%s.inputs %d count%n", parser, c.inputs());
          System.out.printf(
              Locale.ROOT, "BENCH fuzz.%s.unexpected %d count%n", parser, c.unexpected());
        });
    System.out.printf(Locale.ROOT, "BENCH fuzz.seconds %.1f s%n", seconds);
    System.err.printf(
        Locale.ROOT,
        "%d properties in %d classes, %d failed%n",
        summary.getTestsSucceededCount() + summary.getTestsFailedCount(),
        summary.getContainersSucceededCount(),
        summary.getTotalFailureCount());
    if (summary.getTotalFailureCount() > 0 || summary.getTestsFoundCount() == 0) {
      summary.getFailures().stream()
          .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException())
          .collect(Collectors.toList())
          .forEach(System.err::println);
      System.exit(1);
    }
  }
}
