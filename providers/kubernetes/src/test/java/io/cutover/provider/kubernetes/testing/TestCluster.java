// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST CODE: fabric8's Kubernetes mock API server in CRUD mode standing in for an API server (none
 * can run on the build machines), shared by the tests of one JVM (each test class uses its own
 * namespace), with the Gateway API and Istio CRDs loaded. On top of the mock it:
 *
 * <ul>
 *   <li>creates the object on a server-side apply to a missing name, as a real API server does (the
 *       mock answers 404), and treats an apply to an existing object as an RFC 7386 merge patch of
 *       it (lists replaced, as an apply by the only manager of the fields does);
 *   <li>treats a JSON merge patch the same way (the mock's own appends to lists);
 *   <li>validates every write of a custom resource against its CRD's schema ({@link CrdSchemas}),
 *       answering 422 as the API server would and recording the violation;
 *   <li>fails the next write with a 500 when told to ({@link #failNextWrite()}), and forbids (403)
 *       every request of a client when told to ({@link #forbid(String)});
 *   <li>records every request a client with a given {@code User-Agent} sends ({@link
 *       #newClient(String)}, {@link #requests(String)}), marking the server-side applies that
 *       created their object, for the RBAC test.
 * </ul>
 */
public final class TestCluster {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TestCluster INSTANCE = new TestCluster();

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final AtomicInteger validated = new AtomicInteger();
  private final AtomicBoolean failNext = new AtomicBoolean();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Set<String> forbidden = ConcurrentHashMap.newKeySet();

  /**
   * A request the mock received: method, path with query, the {@code User-Agent}, and whether it
   * was a server-side apply that created its object (authorized as create and patch by a real API
   * server).
   */
  public record Request(String method, String path, String userAgent, boolean createdByApply) {}

  private TestCluster() {
    CrdSchemas schemas = CrdSchemas.get();
    KubernetesCrudDispatcher dispatcher =
        new KubernetesCrudDispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String method = request.getMethod();
            requests.add(
                new Request(
                    method,
                    request.getPath(),
                    String.valueOf(request.getHeader("User-Agent")),
                    false));
            if (forbidden.contains(String.valueOf(request.getHeader("User-Agent")))) {
              return new MockResponse()
                  .setResponseCode(403)
                  .setBody(
                      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                          + "\"reason\":\"Forbidden\",\"message\":\"forbidden by the test\","
                          + "\"code\":403}");
            }
            boolean write = !method.equals("GET");
            if (write && failNext.compareAndSet(true, false)) {
              return new MockResponse()
                  .setResponseCode(500)
                  .setBody(
                      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                          + "\"message\":\"injected failure\",\"code\":500}");
            }
            if ((method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))
                && schemas.coversGroup(request.getPath())) {
              String body = new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
              List<String> found = schemas.violations(request.getPath(), body);
              validated.incrementAndGet();
              if (!found.isEmpty()) {
                violations.add(method + " " + request.getPath() + ": " + found);
                return new MockResponse()
                    .setResponseCode(422)
                    .setBody(
                        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                            + "\"reason\":\"Invalid\",\"code\":422,\"message\":\"schema: "
                            + found.toString().replace("\"", "'").replace("\\", "/")
                            + "\"}");
              }
            }
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
            if (handleGet(plain).code() == 404) {
              if (!apply) {
                return handleGet(plain);
              }
              markLastAsCreate(request);
              return handleCreate(
                  new RecordedRequest(
                      request.getHttpVersion(),
                      HttpMethod.POST,
                      plain.substring(0, plain.lastIndexOf('/')),
                      request.getHeaders(),
                      new Buffer(request.getBody().getBytes())));
            }
            // The mock's own merge patch appends to lists; a server-side apply by the only manager
            // of every field replaces them, and so does a JSON merge patch (RFC 7386, where null
            // removes a key). RFC 7386 merge of the patch, then a PUT.
            JsonNode existing =
                read(new String(handleGet(plain).getBody().getBytes(), StandardCharsets.UTF_8));
            JsonNode merged =
                mergePatch(
                    existing,
                    read(new String(request.getBody().getBytes(), StandardCharsets.UTF_8)));
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
    // No client-side retries: a failure the test injects must reach the router.
    client =
        server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
    for (CustomResourceDefinition crd : schemas.crds()) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** Marks the recorded apply of {@code request} as one that created its object. */
  private void markLastAsCreate(RecordedRequest request) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      Request r = requests.get(i);
      if (r.method().equals("PATCH") && r.path().equals(request.getPath()) && !r.createdByApply()) {
        requests.set(i, new Request(r.method(), r.path(), r.userAgent(), true));
        return;
      }
    }
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** RFC 7386: objects merge key by key, null removes a key, anything else replaces. */
  public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
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

  /** The cluster of this JVM. */
  public static TestCluster get() {
    return INSTANCE;
  }

  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client of this cluster that sends {@code userAgent}, so that its requests can be told
   * from those of other tests ({@link #requests(String)}). The caller closes it.
   */
  public KubernetesClient newClient(String userAgent) {
    return server.createClient(
        b ->
            b.editOrNewConfig()
                .withRequestRetryBackoffLimit(0)
                .withUserAgent(userAgent)
                .endConfig());
  }

  /** Every request received so far from clients sending {@code userAgent}, in order. */
  public List<Request> requests(String userAgent) {
    return requests.stream().filter(r -> r.userAgent().equals(userAgent)).toList();
  }

  /** Schema violations of every custom resource written so far, in order. */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** Drops the violations recorded after the first {@code keep} (a test that provoked them). */
  public void forgetViolations(int keep) {
    while (violations.size() > keep) {
      violations.remove(violations.size() - 1);
    }
  }

  /** How many custom-resource writes were validated. */
  public int validatedWrites() {
    return validated.get();
  }

  /**
   * Answers every request of clients sending {@code userAgent} ({@link #newClient(String)}) with
   * 403 Forbidden, as an API server does for a service account without the needed Role.
   */
  public void forbid(String userAgent) {
    forbidden.add(userAgent);
  }

  /** Fails the next write (POST, PUT, PATCH, DELETE) with HTTP 500. */
  public void failNextWrite() {
    failNext.set(true);
  }
}
