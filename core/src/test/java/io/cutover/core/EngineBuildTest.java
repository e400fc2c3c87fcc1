// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.spi.ArtifactVerifier;
import io.cutover.spi.Fleet;
import io.cutover.spi.Router;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What building an engine does and does not do yet: the parts only a rollout needs are created at
 * the first rollout (the first build in a fresh JVM is a benchmark figure, {@code
 * engine.build_ms}), while bad configuration is still refused by {@code build()}.
 */
class EngineBuildTest {

  /** Prefixes of the classes the recording loader defines itself (so it sees them load). */
  private static final List<String> OWN =
      List.of(
          "io.cutover.",
          "com.fasterxml.jackson.",
          "io.opentelemetry.",
          "io.github.resilience4j.",
          "org.slf4j.");

  @Test
  @DisplayName(
      "a build in a fresh class loader loads neither the journal codec nor any class of jackson,"
          + " OpenTelemetry, resilience4j or SLF4J")
  void buildLeavesRolloutPartsUnloaded() throws Exception {
    Recording loader = new Recording(EngineBuildTest.class.getClassLoader());
    // Through a class of the recording loader rather than reflection on Cutover's builder, which
    // would load every type its public methods name (OpenTelemetry among them).
    Runnable build =
        (Runnable)
            loader.loadClass(FreshBuild.class.getName()).getDeclaredConstructor().newInstance();
    build.run();

    assertThat(loader.loaded).contains("io.cutover.core.Cutover");
    assertThat(loader.loaded)
        .noneMatch(n -> n.startsWith("com.fasterxml.jackson."))
        .noneMatch(n -> n.startsWith("org.slf4j."))
        .noneMatch(n -> n.startsWith("io.opentelemetry."))
        .noneMatch(n -> n.startsWith("io.github.resilience4j."))
        .doesNotContain("io.cutover.core.internal.schema.JournalCodec");
  }

  @Test
  @DisplayName("bad configuration is still refused by build(), not at the first rollout")
  void badConfigurationFailsAtBuild() {
    Fleet fleet = FreshBuild.unusable(Fleet.class);
    Router router = FreshBuild.unusable(Router.class);
    assertThatThrownBy(() -> Cutover.builder().router(router).allowUnverifiedArtifacts().build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.violations()).anyMatch(v -> v.path().equals("fleet")));
    assertThatThrownBy(() -> Cutover.builder().fleet(fleet).router(router).build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.violations()).anyMatch(v -> v.path().equals("artifactStore")));
    assertThatThrownBy(
            () ->
                Cutover.builder()
                    .fleet(fleet)
                    .router(router)
                    .allowUnverifiedArtifacts()
                    .verifier(ArtifactVerifier.NONE)
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.violations()).anyMatch(v -> v.path().equals("verifier")));
  }

  @Test
  @DisplayName("engines built with and without resilience policies build and close")
  void resiliencePoliciesAreOptional() {
    Fleet fleet = FreshBuild.unusable(Fleet.class);
    Router router = FreshBuild.unusable(Router.class);
    try (Cutover plain =
            Cutover.builder().fleet(fleet).router(router).allowUnverifiedArtifacts().build();
        Cutover tuned =
            Cutover.builder()
                .fleet(fleet)
                .router(router)
                .allowUnverifiedArtifacts()
                .resilience(ResilienceScope.FLEET, ResiliencePolicy.NO_RETRY)
                .build()) {
      assertThat(plain.activeRollouts()).isEmpty();
      assertThat(tuned.activeRollouts()).isEmpty();
    }
  }

  @Test
  @DisplayName("the shared journal codec is created once, whichever threads ask for it first")
  void sharedCodecIsCreatedOnce() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<JournalCodec>> codecs =
          IntStream.range(0, threads)
              .mapToObj(
                  i ->
                      pool.submit(
                          () -> {
                            start.await();
                            return JournalCodec.shared();
                          }))
              .toList();
      start.countDown();
      Set<JournalCodec> distinct = ConcurrentHashMap.newKeySet();
      for (Future<JournalCodec> f : codecs) {
        distinct.add(f.get());
      }
      assertThat(distinct).containsExactly(JournalCodec.shared());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Builds and closes an engine with providers that refuse every call (building must not call
   * them). Self-contained, so that the recording loader loads nothing else of this test with it.
   */
  public static final class FreshBuild implements Runnable {
    @Override
    public void run() {
      Cutover.builder()
          .allowUnverifiedArtifacts()
          .fleet(unusable(Fleet.class))
          .router(unusable(Router.class))
          .build()
          .close();
    }

    static <T> T unusable(Class<T> type) {
      return type.cast(
          Proxy.newProxyInstance(
              type.getClassLoader(),
              new Class<?>[] {type},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "toString" -> "unusable " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> args != null && proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                  }));
    }
  }

  /**
   * Defines Cutover and its libraries' classes itself, from its parent's class files, and records
   * their names; everything else (the JDK, JSpecify) comes from the parent.
   */
  private static final class Recording extends ClassLoader {
    final Set<String> loaded = ConcurrentHashMap.newKeySet();
    private final ClassLoader source;

    Recording(ClassLoader source) {
      super(ClassLoader.getPlatformClassLoader());
      this.source = source;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (OWN.stream().noneMatch(name::startsWith)) {
        return source.loadClass(name);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = define(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }

    private Class<?> define(String name) throws ClassNotFoundException {
      try (InputStream in = source.getResourceAsStream(name.replace('.', '/') + ".class")) {
        if (in == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] bytes = in.readAllBytes();
        loaded.add(name);
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new ClassNotFoundException(name, e);
      }
    }
  }
}
