// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Provenance;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.samples.SampleArtifacts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover serve} and its clients as separate processes, as an operator runs them: the server
 * is a child JVM ({@code io.cutover.cli.Main serve --config}) on the local-process fleet (real
 * sample-service JVMs), the in-process router and a file journal; every client command ({@code
 * apply --server}, {@code status}, {@code abort}, {@code report}) is another child JVM with the
 * token in its environment. The API refuses a request without the token (401) and one above the
 * configured size (413).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeEndToEndTest {
  static final String TOKEN = "e2e-token-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();

  Path dir;
  Process server;
  List<ProcessHandle> instances = new ArrayList<>();
  String url;
  FilesystemArtifactStore store;
  final HttpClient http = HttpClient.newHttpClient();

  record Result(int code, String out, String err) {}

  @BeforeAll
  void startServer(@TempDir Path tmp) throws Exception {
    dir = tmp;
    store = FilesystemArtifactStore.open(dir.resolve("store"));
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Path cfg = dir.resolve("server.yaml");
    Files.writeString(
        cfg,
        """
        listen: 127.0.0.1:0
        token: {file: token}
        journal: {type: file, directory: journal, durability: os_buffered}
        limits: {maxRequestBytes: 4096}
        """);
    ProcessBuilder pb = java("serve", "--config", cfg.toString());
    pb.redirectOutput(dir.resolve("server.out").toFile());
    pb.redirectError(dir.resolve("server.err").toFile());
    server = pb.start();
    Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
    Instant deadline = Instant.now().plusSeconds(60);
    while (url == null) {
      Matcher m = listening.matcher(Files.readString(dir.resolve("server.out")));
      if (m.find()) {
        url = m.group(1);
        break;
      }
      assertThat(server.isAlive())
          .as("server exited: " + Files.readString(dir.resolve("server.err")))
          .isTrue();
      assertThat(Instant.now()).as("server start").isBefore(deadline);
      Thread.sleep(100);
    }
  }

  @AfterAll
  void stopServer() throws InterruptedException {
    if (server == null) {
      return;
    }
    // The sample-service instances are the server's children; a stopped server leaves them running
    // (a local-process fleet adopts them on the next start), so the test ends them itself.
    server.descendants().forEach(instances::add);
    server.destroy();
    if (!server.waitFor(20, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle p : instances) {
      p.destroyForcibly();
    }
  }

  static ProcessBuilder java(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("io.cutover.cli.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("CUTOVER_SERVER");
    pb.environment().remove("CUTOVER_TOKEN");
    return pb;
  }

  /** Runs a client command as a child JVM with the token and server in its environment. */
  Result client(String... args) throws IOException, InterruptedException {
    ProcessBuilder pb = java(args);
    pb.environment().put("CUTOVER_TOKEN", TOKEN);
    pb.environment().put("CUTOVER_SERVER", url);
    pb.directory(dir.toFile());
    Path out = Files.createTempFile(dir, "client", ".out");
    Path err = Files.createTempFile(dir, "client", ".err");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", args)).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  Result ok(String... args) throws IOException, InterruptedException {
    Result r = client(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
    return r;
  }

  Path spec(String version) throws IOException {
    ArtifactRef ref =
        store.put(
            SampleArtifacts.REPOSITORY,
            SampleArtifacts.jar(version, 0),
            new ArtifactMetadata(
                SampleArtifacts.JAR_MEDIA_TYPE,
                null,
                SampleArtifacts.labels(version),
                Provenance.NONE));
    Path file = dir.resolve("shop-" + version + ".yaml");
    Files.writeString(
        file,
        """
        apiVersion: cutover.io/v1
        service: shop
        artifact:
          digest: %s
        replicas: 1
        strategy:
          canary:
            steps:
              - setWeight: 50
              - pause: untilApproved
              - setWeight: 100
            scaleDownDelay: 0s
        providers:
          fleet: {type: local-process, workDir: %s, store: %s}
          router: {type: in-process}
        """
            .formatted(ref, dir.resolve("instances"), dir.resolve("store")));
    return file;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  void awaitState(String id, String state) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(60);
    String now = "";
    while (!now.equals(state)) {
      now = get("/api/v1/rollouts/" + id).path("state").asText();
      assertThat(Instant.now())
          .as(id + " still " + now + ", waiting for " + state)
          .isBefore(deadline);
      Thread.sleep(100);
    }
  }

  static String started(Result applied) {
    Matcher m = Pattern.compile("started: (\\S+) ").matcher(applied.out());
    assertThat(m.find()).as(applied.out()).isTrue();
    return m.group(1);
  }

  @Test
  void applyStatusAbortFromASecondClientAndReport() throws Exception {
    String first = started(ok("apply", spec("1.0").toString(), "--server", url));
    awaitState(first, "SUCCEEDED");

    String second = started(ok("apply", spec("2.0").toString(), "--server", url));
    awaitState(second, "PAUSED");
    Result status = ok("status", second);
    assertThat(status.out()).contains(second).contains("PAUSED").contains("50.00%");

    // Another client, another process: abort it.
    Result abort = ok("abort", second, "--reason", "incident <4711>");
    assertThat(abort.out()).startsWith("abort: " + second);
    awaitState(second, "ABORTED");
    assertThat(ok("status", second, "-o", "json").out()).contains("\"state\" : \"ABORTED\"");

    Path html = dir.resolve("second.html");
    Result report = ok("report", second, "--out", html.toString());
    assertThat(report.out()).startsWith("report: " + html).contains("aborted");
    String page = Files.readString(html);
    assertThat(page)
        .contains("<h1>Rollout " + second + "</h1>")
        .contains("incident &lt;4711&gt;")
        .doesNotContain("incident <4711>")
        .contains(" 50.00%")
        .contains("ms (abort decided at +");
    // The first rollout's report, with the default file name in the working directory.
    ok("report", first);
    assertThat(Files.readString(dir.resolve(first + ".html"))).contains("first deployment");

    // An unknown rollout: one line, exit 2, from a separate process too.
    Result unknown = client("report", "shop-nope-1");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err().lines().toList()).hasSize(1);
    assertThat(unknown.err()).contains("no rollout 'shop-nope-1'").doesNotContain("\tat ");
  }

  @Test
  void theApiRefusesNoTokenAndOversizedRequests() throws Exception {
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/rollouts")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<String> big =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/specs"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4097]))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
    // A client without the token is refused before any request: exit 2, one line.
    ProcessBuilder pb = java("list", "--server", url);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isEqualTo(2);
    assertThat(output).contains("no token");
  }
}
