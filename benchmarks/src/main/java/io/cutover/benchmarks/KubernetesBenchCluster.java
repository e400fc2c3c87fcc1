// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * BENCHMARK CODE: fabric8's mock API server in CRUD mode (no real API server can run on the build
 * machines) with what the Kubernetes providers need of a real one: a server-side apply to a missing
 * object creates it, an apply to an existing one is an RFC 7386 merge of it (lists replaced), and
 * the Gateway API and Istio kinds are registered. The same treatment as the providers' own test
 * cluster, without its CRD schema validation (the benchmark measures, the tests check). It counts
 * the requests it serves.
 */
final class KubernetesBenchCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The mock logs every request at INFO through java.util.logging; that costs more than serving it.
   * Held here so the logger (and its level) is not collected.
   */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final AtomicLong requests = new AtomicLong();

  KubernetesBenchCluster() {
    MOCK_LOG.setLevel(Level.WARNING);
    KubernetesCrudDispatcher dispatcher =
        new KubernetesCrudDispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.incrementAndGet();
            return super.dispatch(request);
          }

          @Override
          public MockResponse handlePatch(RecordedRequest request) {
            String type = String.valueOf(request.getHeader("Content-Type"));
            boolean apply = type.startsWith("application/apply-patch");
            if (!apply && !type.startsWith("application/merge-patch+json")) {
              return super.handlePatch(request);
            }
            String path = request.getPath();
            String plain = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            MockResponse existing = handleGet(plain);
            if (existing.code() == 404) {
              if (!apply) {
                return existing;
              }
              return handleCreate(
                  new RecordedRequest(
                      request.getHttpVersion(),
                      HttpMethod.POST,
                      plain.substring(0, plain.lastIndexOf('/')),
                      request.getHeaders(),
                      new Buffer(request.getBody().getBytes())));
            }
            JsonNode merged =
                mergePatch(read(existing.getBody().getBytes()), read(request.getBody().getBytes()));
            return handleUpdate(
                new RecordedRequest(
                    request.getHttpVersion(),
                    HttpMethod.PUT,
                    plain,
                    request
                        .getHeaders()
                        .newBuilder()
                        .set("Content-Type", "application/json")
                        .build(),
                    new Buffer(merged.toString().getBytes(StandardCharsets.UTF_8))));
          }
        };
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    try (KubernetesClient admin = newClient()) {
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd("gateway.networking.k8s.io", "HTTPRoute", "httproutes"))
          .create();
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd("networking.istio.io", "VirtualService", "virtualservices"))
          .create();
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd("networking.istio.io", "DestinationRule", "destinationrules"))
          .create();
    }
    requests.set(0);
  }

  /** A new client of the mock (JDK HTTP client, no retries); the caller closes it. */
  KubernetesClient newClient() {
    return server.createClient(
        b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
  }

  /** Requests served so far (after the set-up). */
  long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.destroy();
  }

  private static CustomResourceDefinition crd(String group, String kind, String plural) {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName(plural + "." + group)
        .endMetadata()
        .withNewSpec()
        .withGroup(group)
        .withScope("Namespaced")
        .withNewNames()
        .withKind(kind)
        .withPlural(plural)
        .withSingular(kind.toLowerCase(Locale.ROOT))
        .endNames()
        .addNewVersion()
        .withName("v1")
        .withServed(true)
        .withStorage(true)
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  private static JsonNode read(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** RFC 7386: objects merge key by key, null removes a key, anything else replaces. */
  private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!(patch instanceof ObjectNode p)) {
      return patch;
    }
    ObjectNode out = target instanceof ObjectNode t ? t.deepCopy() : JSON.createObjectNode();
    p.fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isNull()) {
                out.remove(e.getKey());
              } else {
                out.set(e.getKey(), mergePatch(out.path(e.getKey()), e.getValue()));
              }
            });
    return out;
  }
}
