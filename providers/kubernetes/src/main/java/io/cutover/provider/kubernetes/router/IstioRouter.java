// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.TrafficSplit.Mirror;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.provider.support.AppliedOperations;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Weighted routing with Istio: per Cutover service, a {@code VirtualService} and a {@code
 * DestinationRule} named after it ({@code networking.istio.io/v1}, written as generic resources),
 * and a Service of the same name selecting every pod of the service ({@code cutover.io/service}) as
 * the destination host.
 *
 * <p><b>Mapping.</b> The DestinationRule has one subset per release of the split, named {@link
 * KubernetesNames#releaseName} and selecting {@code cutover.io/release}. The VirtualService's last
 * {@code http} route has no {@code match} and carries the weights, one destination per release
 * (weight 0 included); each {@link MatchRule} is an {@code http} route before it, in order: a
 * header rule matches {@code headers.<name>.exact}, a cookie rule matches {@code
 * headers.cookie.regex}. A {@link Mirror} is {@code mirror} (the release's subset) with {@code
 * mirrorPercentage.value} = basis points / 100.
 *
 * <p><b>Refused</b> (non-retryable {@link ProviderException}): weights that are not whole percents
 * (Istio's route weights are integers out of 100, so 12.5 % cannot be written), and header rules
 * whose name has upper-case letters (Istio matches header names in lower case; write {@code
 * x-preview}, which matches {@code X-Preview} on the wire).
 *
 * <p><b>Read back.</b> From the VirtualService; the annotation {@value
 * RouterSupport#RELEASES_ANNOTATION} maps subset names to release ids.
 *
 * <p><b>Order of writes.</b> The DestinationRule first, with the subsets of the old and the new
 * split (so no route ever names a missing subset), then the VirtualService (the split changes
 * atomically), then the DestinationRule again with the new split's subsets only.
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; one call at a time per service.
 */
public final class IstioRouter implements Router {
  /** The provider name. */
  public static final String PROVIDER = "istio";

  static final String API_VERSION = "networking.istio.io/v1";

  static final ResourceDefinitionContext VIRTUAL_SERVICE =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  static final ResourceDefinitionContext DESTINATION_RULE =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("DestinationRule")
          .withPlural("destinationrules")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final String namespace;
  private final String fieldManager;
  private final List<String> hosts;
  private final List<String> gateways;
  private final int port;
  private final String targetPort;
  private final Map<String, AppliedOperations> operations = new ConcurrentHashMap<>();

  /**
   * A router writing into {@code namespace}.
   *
   * @param hosts extra hosts of the VirtualServices (e.g. public names bound to {@code gateways});
   *     the service's own Service name is always one
   * @param gateways the Istio Gateways the VirtualServices bind to; empty for the mesh only
   * @param port the Service port
   * @param targetPort the pods' port, a number or a port name
   */
  public IstioRouter(
      KubernetesClient client,
      String namespace,
      String fieldManager,
      List<String> hosts,
      List<String> gateways,
      int port,
      String targetPort) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.fieldManager = Objects.requireNonNull(fieldManager, "fieldManager");
    this.hosts = List.copyOf(hosts);
    this.gateways = List.copyOf(gateways);
    this.port = port;
    this.targetPort = Objects.requireNonNull(targetPort, "targetPort");
  }

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    split.validate();
    check(service, split);
    AppliedOperations ops = operations.computeIfAbsent(service, k -> new AppliedOperations());
    if (ops.isStale(op)) {
      return;
    }
    RouterSupport.checkBackends(PROVIDER, service, split, backends);
    Map<String, String> names = RouterSupport.names(PROVIDER, split);
    String step = "applying Service " + service;
    try {
      Map<String, String> selector = Map.of(KubernetesNames.SERVICE_LABEL, service);
      client
          .services()
          .inNamespace(namespace)
          .resource(
              RouterSupport.service(
                  service,
                  namespace,
                  RouterSupport.labels(service),
                  Map.of(),
                  selector,
                  port,
                  targetPort))
          .fieldManager(fieldManager)
          .forceConflicts()
          .serverSideApply();
      step = "reading DestinationRule " + service;
      GenericKubernetesResource old =
          client
              .genericKubernetesResources(DESTINATION_RULE)
              .inNamespace(namespace)
              .withName(service)
              .get();
      Set<String> both = new LinkedHashSet<>(subsetNames(old));
      both.addAll(names.keySet());
      step = "applying DestinationRule " + service;
      apply(DESTINATION_RULE, destinationRule(service, both));
      step = "applying VirtualService " + service;
      apply(VIRTUAL_SERVICE, virtualService(op, service, split, names));
      if (!both.equals(names.keySet())) {
        step = "removing old subsets from DestinationRule " + service;
        apply(DESTINATION_RULE, destinationRule(service, names.keySet()));
      }
    } catch (KubernetesClientException e) {
      throw RouterSupport.failure(PROVIDER, "route", step, e);
    }
    ops.applied(op);
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    GenericKubernetesResource vs;
    try {
      vs =
          client
              .genericKubernetesResources(VIRTUAL_SERVICE)
              .inNamespace(namespace)
              .withName(service)
              .get();
    } catch (KubernetesClientException e) {
      throw RouterSupport.failure(PROVIDER, "current", "reading VirtualService " + service, e);
    }
    Map<String, String> ids = RouterSupport.decodeNames(vs);
    if (vs == null || ids.isEmpty()) {
      return Optional.empty();
    }
    String where = "VirtualService " + service;
    Map<String, Object> spec = map(vs.getAdditionalProperties().get("spec"));
    Map<String, Object> weighted = null;
    List<MatchRule> rules = new ArrayList<>();
    for (Object o : list(spec.get("http"))) {
      Map<String, Object> http = map(o);
      if (list(http.get("match")).isEmpty()) {
        weighted = http;
      } else {
        rules.add(rule(http, ids, where));
      }
    }
    if (weighted == null) {
      throw ProviderException.permanent(
          PROVIDER, "current", where + " has no http route without match; apply a split again");
    }
    TrafficSplit.Builder b = TrafficSplit.builder();
    for (Object o : list(weighted.get("route"))) {
      Map<String, Object> dest = map(o);
      String subset = String.valueOf(map(dest.get("destination")).get("subset"));
      Object weight = dest.get("weight");
      b.weight(
          RouterSupport.idOf(PROVIDER, ids, subset, where + " route"),
          weight instanceof Number n ? n.intValue() * 100 : 0);
    }
    rules.forEach(b::rule);
    Map<String, Object> mirror = map(weighted.get("mirror"));
    if (!mirror.isEmpty()) {
      Object pct = map(weighted.get("mirrorPercentage")).get("value");
      int bp =
          pct instanceof Number n ? (int) Math.round(n.doubleValue() * 100) : TrafficSplit.TOTAL;
      b.mirror(
          new Mirror(
              RouterSupport.idOf(
                  PROVIDER, ids, String.valueOf(mirror.get("subset")), where + " mirror"),
              bp));
    }
    return Optional.of(b.build());
  }

  private static void check(String service, TrafficSplit split) {
    RouterSupport.checkServiceName(PROVIDER, service, "");
    split
        .weights()
        .forEach(
            (id, w) -> {
              if (w % 100 != 0) {
                throw ProviderException.permanent(
                    PROVIDER,
                    "route",
                    "Istio route weights are whole percents, but split "
                        + split
                        + " gives "
                        + id
                        + " "
                        + split.percent(id)
                        + "%; use weights in steps of 1 % (100 basis points)");
              }
            });
    for (MatchRule r : split.rules()) {
      if (r.kind() == MatchRule.Kind.HEADER
          && !r.name().equals(r.name().toLowerCase(Locale.ROOT))) {
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "Istio matches header names in lower case, but a rule of split "
                + split
                + " names header '"
                + r.name()
                + "'; write it as '"
                + r.name().toLowerCase(Locale.ROOT)
                + "' (it matches any case on the wire)");
      }
    }
  }

  private void apply(ResourceDefinitionContext kind, GenericKubernetesResource object) {
    client
        .genericKubernetesResources(kind)
        .inNamespace(namespace)
        .resource(object)
        .fieldManager(fieldManager)
        .forceConflicts()
        .serverSideApply();
  }

  private GenericKubernetesResource resource(
      ResourceDefinitionContext kind,
      String name,
      Map<String, String> annotations,
      Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(API_VERSION);
    r.setKind(kind.getKind());
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(RouterSupport.labels(name))
            .withAnnotations(annotations)
            .build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }

  private GenericKubernetesResource destinationRule(String service, Set<String> subsets) {
    List<Object> list = new ArrayList<>();
    for (String name : subsets) {
      list.add(Map.of("name", name, "labels", Map.of(KubernetesNames.RELEASE_LABEL, name)));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("host", service);
    spec.put("subsets", list);
    return resource(DESTINATION_RULE, service, Map.of(), spec);
  }

  private GenericKubernetesResource virtualService(
      OperationId op, String service, TrafficSplit split, Map<String, String> names) {
    List<Object> http = new ArrayList<>();
    for (MatchRule r : split.rules()) {
      Map<String, Object> header =
          r.kind() == MatchRule.Kind.HEADER
              ? Map.of(r.name(), Map.of("exact", r.value()))
              : Map.of("cookie", Map.of("regex", CookieRegex.of(r.name(), r.value())));
      http.add(
          Map.of(
              "match", List.of(Map.of("headers", header)),
              "route", List.of(destination(service, r.releaseId(), TrafficSplit.TOTAL))));
    }
    Map<String, Object> weighted = new LinkedHashMap<>();
    List<Object> route = new ArrayList<>();
    split.weights().forEach((id, w) -> route.add(destination(service, id, w)));
    weighted.put("route", route);
    Mirror mirror = split.mirror();
    if (mirror != null) {
      weighted.put("mirror", subset(service, mirror.releaseId()));
      weighted.put("mirrorPercentage", Map.of("value", mirror.basisPoints() / 100.0));
    }
    http.add(weighted);
    List<String> allHosts = new ArrayList<>();
    allHosts.add(service);
    hosts.stream().filter(h -> !h.equals(service)).forEach(allHosts::add);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("hosts", allHosts);
    if (!gateways.isEmpty()) {
      spec.put("gateways", gateways);
    }
    spec.put("http", http);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RouterSupport.RELEASES_ANNOTATION, RouterSupport.encodeNames(names));
    annotations.put(RouterSupport.OPERATION_ANNOTATION, op.value());
    return resource(VIRTUAL_SERVICE, service, annotations, spec);
  }

  private Map<String, Object> destination(String service, String releaseId, int basisPoints) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("destination", subset(service, releaseId));
    d.put("weight", basisPoints / 100);
    return d;
  }

  private Map<String, Object> subset(String service, String releaseId) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("host", service);
    d.put("subset", KubernetesNames.releaseName(releaseId));
    d.put("port", Map.of("number", port));
    return d;
  }

  private static MatchRule rule(Map<String, Object> http, Map<String, String> ids, String where) {
    List<Object> match = list(http.get("match"));
    List<Object> route = list(http.get("route"));
    Map<String, Object> headers = map(map(match.get(0)).get("headers"));
    if (match.size() != 1 || route.size() != 1 || headers.size() != 1) {
      throw ProviderException.permanent(
          PROVIDER,
          "current",
          where + " has an http route Cutover did not write (one header match, one destination)");
    }
    String id =
        RouterSupport.idOf(
            PROVIDER,
            ids,
            String.valueOf(map(map(route.get(0)).get("destination")).get("subset")),
            where + " rule");
    Map.Entry<String, Object> header = headers.entrySet().iterator().next();
    Map<String, Object> condition = map(header.getValue());
    if (header.getKey().equals("cookie") && condition.get("regex") instanceof String regex) {
      String[] cookie = CookieRegex.parse(regex);
      if (cookie != null) {
        return new MatchRule(MatchRule.Kind.COOKIE, cookie[0], cookie[1], id);
      }
    }
    if (condition.get("exact") instanceof String exact) {
      return new MatchRule(MatchRule.Kind.HEADER, header.getKey(), exact, id);
    }
    throw ProviderException.permanent(
        PROVIDER, "current", where + " has a header match Cutover did not write: " + header);
  }

  private static Set<String> subsetNames(@Nullable GenericKubernetesResource dr) {
    Set<String> out = new LinkedHashSet<>();
    if (dr != null) {
      for (Object o : list(map(dr.getAdditionalProperties().get("spec")).get("subsets"))) {
        Object name = map(o).get("name");
        if (name != null) {
          out.add(name.toString());
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(@Nullable Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(@Nullable Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
