// SPDX-License-Identifier: Apache-2.0
package io.cutover.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Instance;
import io.cutover.api.Provenance;
import io.cutover.api.Release;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.cli.Main;
import io.cutover.core.Cutover;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.Rollout;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.provider.http.WebhookGate;
import io.cutover.provider.local.fleet.ConfigSource;
import io.cutover.provider.local.fleet.FleetHealthGate;
import io.cutover.provider.local.fleet.LocalProcessFleet;
import io.cutover.provider.local.fleet.SecretResolver;
import io.cutover.provider.local.router.InProcessRouter;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.samples.SampleArtifacts;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricSource;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testfixtures.Fixtures;
import io.cutover.testfixtures.PrometheusServer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secret canaries (issue 11, "a hostile world"): real rollouts run with unique canary strings as
 * the Prometheus bearer token, the webhook HMAC secret and a secret configuration value, then every
 * place a person or a log pipeline can see is searched for them: journal files, the fleet's work
 * directory (instance records, logs), the log output, exception messages, span names and
 * attributes, rollout reasons and events, each rollout's HTML report, and the {@code toString()} of
 * every object the test can reach from the engine and its providers.
 *
 * <p>Real servers: a real Prometheus (the gate's backend), real processes (the sample service),
 * WireMock as the webhook receiver (a webhook is an arbitrary HTTP endpoint; this one records what
 * it was sent).
 */
@DisplayName("Secret canaries: no secret appears anywhere a person can see")
class SecretCanaryTest {
  private static final String SERVICE = "shop";
  private final String run = UUID.randomUUID().toString().replace("-", "");
  private final String configSecret = "cnry-config-" + run;
  private final String prometheusToken = "cnry-prom-token-" + run;
  private final String webhookSecret = "cnry-webhook-hmac-" + run;

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

  @AfterEach
  void close() {
    for (int i = closing.size() - 1; i >= 0; i--) {
      Fixtures.closeAll(closing.get(i));
    }
    scheduler.shutdownNow();
  }

  private <T extends AutoCloseable> T closeLater(T t) {
    closing.add(t);
    return t;
  }

  @Test
  @DisplayName(
      "a promoted and an aborted canary on real processes, with a Prometheus and a webhook gate")
  void localRollouts() throws Exception {
    PrometheusServer prometheus =
        closeLater(PrometheusServer.start(Fixtures.freePort(), Duration.ofMillis(200)));
    // The gate fails on no data, so the rollout must not start before the first scrape is stored
    // (CI once ran the gate first and the promoted canary aborted).
    prometheus.awaitFirstScrape(Duration.ofSeconds(30));
    WireMockServer hooks = new WireMockServer(options().dynamicPort());
    hooks.start();
    closeLater(hooks::stop);
    hooks.stubFor(post(urlPathEqualTo("/approve")).willReturn(aResponse().withStatus(200)));
    hooks.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(403)));

    FilesystemArtifactStore store = FilesystemArtifactStore.open(dir.resolve("store"));
    ConfigSource.Registry configs = ConfigSource.registry();
    ConfigRef config =
        configs.register(Map.of("DB_USER", "shop", "DB_PASSWORD", "${secret:db-password}"));
    LocalProcessFleet fleet =
        LocalProcessFleet.builder(dir.resolve("fleet"), store)
            .configs(configs)
            .secrets(SecretResolver.of(Map.of("db-password", configSecret)))
            .scheduler(scheduler)
            .gracePeriod(Duration.ofSeconds(3))
            .readyTimeout(Duration.ofSeconds(60))
            .build();
    closeLater(fleet::close);
    closeLater(fleet::stopAll);

    // Configured as a user would: through the provider registry, secrets in files.
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Path tokenFile = Files.writeString(secrets.resolve("prometheus-token"), prometheusToken + "\n");
    Path hmacFile = Files.writeString(secrets.resolve("webhook-hmac"), webhookSecret + "\n");
    ProviderRegistry providers = ProviderRegistry.create().withDiscovery();
    String hooksHost = "127.0.0.1";
    MetricSource metrics =
        providers.metricSource(
            "prometheus",
            ProviderConfigs.of(
                "prometheus",
                Map.of(
                    "url", prometheus.url,
                    "bearerTokenFile", tokenFile.toString(),
                    "insecureHosts", List.of("127.0.0.1"))));
    HealthGate scraped =
        ThresholdGate.builder("prometheus-up", metrics)
            .query("max(up)")
            .passWhen(Comparison.AT_LEAST, 0)
            .onNoData(NoDataPolicy.FAIL)
            .build();
    HealthGate approval =
        webhook(
            providers,
            "approval",
            "http://127.0.0.1:" + hooks.port() + "/approve",
            hmacFile,
            hooksHost);
    HealthGate rejection =
        webhook(
            providers,
            "rejection",
            "http://127.0.0.1:" + hooks.port() + "/reject",
            hmacFile,
            hooksHost);
    // A Prometheus that is down: its errors (in reasons, events, spans, journal) must not quote the
    // token.
    int downPort = Fixtures.freePort();
    MetricSource down =
        providers.metricSource(
            "prometheus",
            ProviderConfigs.of(
                "prometheus",
                Map.of(
                    "url",
                    "http://127.0.0.1:" + downPort + "/",
                    "bearerTokenFile",
                    tokenFile.toString(),
                    "insecureHosts",
                    List.of("127.0.0.1"),
                    "maxAttempts",
                    1)));
    HealthGate unreachable =
        ThresholdGate.builder("prometheus-down", down)
            .query("max(up)")
            .passWhen(Comparison.AT_LEAST, 0)
            .onNoData(NoDataPolicy.FAIL)
            .build();

    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    closeLater(otel);
    FileJournal journal = FileJournal.open(dir.resolve("journal"));
    Cutover cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .fleet(fleet)
            .router(InProcessRouter.create())
            .journal(journal)
            .openTelemetry(otel)
            .gate(new FleetHealthGate("instances", fleet))
            .gate(scraped)
            .gate(approval)
            .gate(rejection)
            .gate(unreachable)
            .listener(events::add)
            .build();
    closeLater(cutover);

    Release v1 = release(store, config, "v1");
    Release v2 = release(store, config, "v2");
    Release v3 = release(store, config, "v3");
    Release v4 = release(store, config, "v4");
    assertThat(finished(cutover.deploy(Strategies.recreate().build(), v1, 1)).state())
        .isEqualTo(RolloutState.SUCCEEDED);
    RolloutStatus promoted = finished(cutover.deploy(canary("prometheus-up", "approval"), v2, 1));
    assertThat(promoted.state()).as(promoted.reason()).isEqualTo(RolloutState.SUCCEEDED);
    // The secret did reach the instance, in its environment: the canary is not vacuous.
    Instance running = fleet.instances(SERVICE).get(0);
    long pid = fleet.process(running.id()).orElseThrow().pid();
    assertThat(
            new String(
                Files.readAllBytes(Path.of("/proc/" + pid + "/environ")),
                StandardCharsets.ISO_8859_1))
        .contains("DB_PASSWORD=" + configSecret);
    RolloutStatus rejected = finished(cutover.deploy(canary("rejection"), v3, 1));
    assertThat(rejected.state()).isEqualTo(RolloutState.ABORTED);
    RolloutStatus down3 = finished(cutover.deploy(canary("prometheus-down"), v4, 1));
    assertThat(down3.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(down3.reason()).contains("prometheus-down");
    // The webhook requests were really signed with the secret, and the token really sent.
    assertThat(hooks.getAllServeEvents())
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e.getRequest().getHeaders().all().toString())
                    .contains(WebhookGate.sign(webhookSecret, e.getRequest().getBody())));

    LeakScanner scan = new LeakScanner(Set.of(configSecret, prometheusToken, webhookSecret));
    scan.files(dir.resolve("journal")).files(dir.resolve("fleet"));
    for (RolloutStatus st : List.of(promoted, rejected, down3)) {
      scan.text("rollout reason", String.valueOf(st.reason()));
    }
    for (RolloutEvent e : events) {
      scan.text("event " + e.type(), e.toString());
    }
    scan.spans(spans.getFinishedSpanItems());
    scan.files(Logs.file());
    scan.reachable("engine", cutover, fleet, metrics, down, approval, rejection, events, store);
    assertThat(scan.findings()).isEmpty();
    assertThat(scan.objectsWalked()).as("objects whose toString() was checked").isGreaterThan(100);
    assertThat(scan.filesRead()).isGreaterThan(3);
    cutover.close();
    // Each rollout's HTML report, as an operator runs it ('cutover report', once the engine has
    // let go of the journal), is built from the journal records.
    journal.close();
    for (RolloutStatus st : List.of(promoted, rejected, down3)) {
      Path html = dir.resolve(st.rolloutId() + ".html");
      assertThat(
              Main.run(
                  "report",
                  st.rolloutId(),
                  "--journal",
                  dir.resolve("journal").toString(),
                  "--out",
                  html.toString()))
          .isZero();
      String report = Files.readString(html);
      assertThat(report).contains(st.rolloutId());
      scan.text("report of " + st.rolloutId(), report);
    }
    assertThat(scan.findings()).isEmpty();
  }

  private static HealthGate webhook(
      ProviderRegistry providers, String name, String url, Path secretFile, String host) {
    return providers.healthGate(
        "webhook",
        ProviderConfigs.of(
            "webhook",
            Map.of(
                "name",
                name,
                "url",
                url,
                "secretFile",
                secretFile.toString(),
                "insecureHosts",
                List.of(host))));
  }

  private static Release release(FilesystemArtifactStore store, ConfigRef config, String version) {
    ArtifactRef ref =
        store.put(
            SampleArtifacts.REPOSITORY,
            SampleArtifacts.jar(version, 0),
            new ArtifactMetadata(
                SampleArtifacts.JAR_MEDIA_TYPE,
                null,
                SampleArtifacts.labels(version),
                Provenance.NONE));
    return Release.of(SERVICE, ref, config).withLabel(version);
  }

  private static RolloutStrategy canary(String... gates) {
    return Strategies.canary()
        .scaleDownDelay(Duration.ZERO)
        .setWeight(50)
        .analysis(
            Step.Verify.gates(gates)
                .initialDelay(Duration.ofMillis(300))
                .interval(Duration.ofMillis(300))
                .count(2)
                .consecutiveErrorLimit(0)
                .build())
        .build();
  }

  private static RolloutStatus finished(Rollout r) throws Exception {
    return r.completion().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }
}
