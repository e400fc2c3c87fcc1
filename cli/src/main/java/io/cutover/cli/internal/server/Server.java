// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spec.CutoverSpec;
import io.cutover.spi.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A running {@code cutover serve}: the journal, the engines of the specs found at start, the
 * metrics and the admin API, wired and started by {@link #start}, stopped in reverse order by
 * {@link #close()}. Rollouts stop where they are on close, durable in the journal; the next server
 * on the same journal continues them.
 */
public final class Server implements AutoCloseable {
  private final List<AutoCloseable> owned;
  private final AdminServer http;
  private final Services services;

  private Server(List<AutoCloseable> owned, AdminServer http, Services services) {
    this.owned = owned;
    this.http = http;
    this.services = services;
  }

  /**
   * Opens the journal, loads every spec of the specs directory, and starts the admin API.
   *
   * @throws RuntimeException if a spec cannot be loaded: the first failure, the others suppressed
   *     in it (nothing is left running)
   * @throws IOException if the address cannot be bound
   */
  public static Server start(ServerConfig config, Supplier<ProviderRegistry> registry)
      throws IOException {
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      Journal journal =
          registry
              .get()
              .journal(
                  config.journalType(),
                  ProviderConfigs.of(config.journalType(), "$.journal", config.journalConfig()));
      owned.add(journal);
      ScheduledThreadPoolExecutor scheduler =
          new ScheduledThreadPoolExecutor(1, daemon("cutover-engine"));
      scheduler.setRemoveOnCancelPolicy(true);
      owned.add(scheduler::shutdownNow);
      ExecutorService providers = Executors.newFixedThreadPool(16, daemon("cutover-provider"));
      owned.add(providers::shutdownNow);
      ServerMetrics metrics = new ServerMetrics();
      owned.add(metrics);
      Services services =
          new Services(journal, registry, scheduler, providers, metrics.openTelemetry());
      owned.add(services);
      if (config.specs() != null) {
        loadSpecs(config.specs(), services);
      }
      AdminServer http = AdminServer.start(config, new AdminApi(services, metrics));
      owned.add(http);
      return new Server(owned, http, services);
    } catch (IOException | RuntimeException e) {
      closeAll(owned);
      throw e;
    }
  }

  private static void loadSpecs(Path dir, Services services) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    List<RuntimeException> failures = new ArrayList<>();
    for (Path f : files) {
      try {
        services.load(CutoverSpec.parse(f), Files.readString(f));
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      for (RuntimeException e : failures.subList(1, failures.size())) {
        first.addSuppressed(e);
      }
      throw first;
    }
  }

  /** The admin API's URL. */
  public String url() {
    return http.url();
  }

  /** The engines. */
  public Services services() {
    return services;
  }

  /** Stops the API, then the engines, metrics, executors and journal. */
  @Override
  public void close() {
    closeAll(owned);
  }

  private static void closeAll(List<AutoCloseable> owned) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        // Closing continues; the process is stopping.
      }
    }
    owned.clear();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
