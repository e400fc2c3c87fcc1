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
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Weighted routing with the Gateway API: one {@code HTTPRoute} per Cutover service (named after it,
 * attached to the configured parent Gateways and hostnames) and one Service per release (named
 * {@link KubernetesNames#releaseName}, selecting that release's pods), created and deleted by the
 * router.
 *
 * <p><b>Mapping.</b> The last rule of the route has no match and carries the weights: one {@code
 * backendRef} per release of the split, its {@code weight} the release's basis points (0 included,
 * so a release at 0 % stays on the route and is read back). Each {@link MatchRule} becomes a rule
 * before it, in order, sending matching requests to its release: a header rule matches the header
 * exactly ({@code type: Exact}); a cookie rule matches the {@code Cookie} header with a regular
 * expression ({@code type: RegularExpression}, an implementation-specific feature of the Gateway
 * API that Envoy-based gateways support). A {@link Mirror} is a {@code RequestMirror} filter on the
 * weighted rule, with {@code fraction} = basis points / 10000 (standard since Gateway API v1.3).
 *
 * <p><b>Refused.</b> More than 15 match rules (a route holds 16 rules) or more than 16 releases;
 * whatever the API server refuses against the CRD (a header name it does not accept) fails with a
 * non-retryable {@link ProviderException}.
 *
 * <p><b>Read back.</b> From the {@code HTTPRoute}: weights, rules and mirror as above; the
 * annotation {@value RouterSupport#RELEASES_ANNOTATION} maps the Service names back to release ids.
 *
 * <p><b>Order of writes.</b> Release Services first (new Services carry no traffic yet), then the
 * route (one object: the split changes atomically), then the Services of releases no longer in the
 * split are deleted. A failure before the route write leaves the previous split in effect.
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; one call at a time per service.
 */
public final class GatewayApiRouter implements Router {
  /** The provider name. */
  public static final String PROVIDER = "gateway-api";

  /** Label on the release Services this router owns (value {@value #PROVIDER}). */
  static final String ROUTER_LABEL = "cutover.io/router";

  static final String COOKIE_HEADER = "Cookie";
  private static final int MAX_RULES = 16;
  private static final int MAX_BACKENDS = 16;

  /** A parent Gateway: its namespace (null: the route's) and name, and optionally a listener. */
  public record Parent(@Nullable String namespace, String name, @Nullable String sectionName) {
    /** Checks the name. */
    public Parent {
      Objects.requireNonNull(name, "name");
    }
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String fieldManager;
  private final List<Parent> parents;
  private final List<String> hostnames;
  private final int port;
  private final String targetPort;
  private final Map<String, AppliedOperations> operations = new ConcurrentHashMap<>();

  /**
   * A router writing into {@code namespace}.
   *
   * @param parents the Gateways the routes attach to
   * @param hostnames the routes' hostnames; empty for the Gateway listeners' own
   * @param port the release Services' port (the backendRefs' port)
   * @param targetPort the pods' port, a number or a port name
   */
  public GatewayApiRouter(
      KubernetesClient client,
      String namespace,
      String fieldManager,
      List<Parent> parents,
      List<String> hostnames,
      int port,
      String targetPort) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.fieldManager = Objects.requireNonNull(fieldManager, "fieldManager");
    this.parents = List.copyOf(parents);
    this.hostnames = List.copyOf(hostnames);
    this.port = port;
    this.targetPort = Objects.requireNonNull(targetPort, "targetPort");
  }

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    split.validate();
    RouterSupport.checkServiceName(PROVIDER, service, "");
    if (split.rules().size() > MAX_RULES - 1 || split.releaseIds().size() > MAX_BACKENDS) {
      throw ProviderException.permanent(
          PROVIDER,
          "route",
          "an HTTPRoute holds 16 rules of 16 backends; split "
              + split
              + " needs "
              + (split.rules().size() + 1)
              + " rules and "
              + split.releaseIds().size()
              + " backends");
    }
    AppliedOperations ops = operations.computeIfAbsent(service, k -> new AppliedOperations());
    if (ops.isStale(op)) {
      return;
    }
    RouterSupport.checkBackends(PROVIDER, service, split, backends);
    Map<String, String> names = RouterSupport.names(PROVIDER, split);
    HTTPRoute route = route(op, service, split, names);
    String step = "applying the release Services of " + service;
    try {
      for (String name : names.keySet()) {
        client
            .services()
            .inNamespace(namespace)
            .resource(releaseService(service, name))
            .fieldManager(fieldManager)
            .forceConflicts()
            .serverSideApply();
      }
      step = "applying HTTPRoute " + service;
      client
          .resources(HTTPRoute.class)
          .inNamespace(namespace)
          .resource(route)
          .fieldManager(fieldManager)
          .forceConflicts()
          .serverSideApply();
      step = "deleting Services of releases no longer routed for " + service;
      for (Service s :
          client
              .services()
              .inNamespace(namespace)
              .withLabel(ROUTER_LABEL, PROVIDER)
              .withLabel(KubernetesNames.SERVICE_LABEL, service)
              .list()
              .getItems()) {
        if (!names.containsKey(s.getMetadata().getName())) {
          client.services().inNamespace(namespace).resource(s).delete();
        }
      }
    } catch (KubernetesClientException e) {
      throw RouterSupport.failure(PROVIDER, "route", step, e);
    }
    ops.applied(op);
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    HTTPRoute route;
    try {
      route = client.resources(HTTPRoute.class).inNamespace(namespace).withName(service).get();
    } catch (KubernetesClientException e) {
      throw RouterSupport.failure(PROVIDER, "current", "reading HTTPRoute " + service, e);
    }
    Map<String, String> ids = RouterSupport.decodeNames(route);
    if (route == null || ids.isEmpty() || route.getSpec() == null) {
      return Optional.empty();
    }
    List<HTTPRouteRule> rules = Objects.requireNonNullElse(route.getSpec().getRules(), List.of());
    String where = "HTTPRoute " + service;
    TrafficSplit.Builder b = TrafficSplit.builder();
    HTTPRouteRule weighted = null;
    List<MatchRule> matchRules = new ArrayList<>();
    for (HTTPRouteRule rule : rules) {
      List<HTTPRouteMatch> matches = rule.getMatches();
      if (matches == null || matches.isEmpty()) {
        weighted = rule;
      } else {
        matchRules.add(matchRule(rule, ids, where));
      }
    }
    if (weighted == null) {
      throw ProviderException.permanent(
          PROVIDER,
          "current",
          where + " has no rule without matches (the weighted rule); apply a split again");
    }
    for (HTTPBackendRef ref :
        Objects.requireNonNullElse(weighted.getBackendRefs(), List.<HTTPBackendRef>of())) {
      // The Gateway API's default weight is 1.
      b.weight(
          RouterSupport.idOf(PROVIDER, ids, ref.getName(), where + " backendRef"),
          ref.getWeight() == null ? 1 : ref.getWeight());
    }
    matchRules.forEach(b::rule);
    for (HTTPRouteFilter f :
        Objects.requireNonNullElse(weighted.getFilters(), List.<HTTPRouteFilter>of())) {
      HTTPRequestMirrorFilter m = f.getRequestMirror();
      if ("RequestMirror".equals(f.getType()) && m != null && m.getBackendRef() != null) {
        b.mirror(
            new Mirror(
                RouterSupport.idOf(PROVIDER, ids, m.getBackendRef().getName(), where + " mirror"),
                mirrorBasisPoints(m)));
      }
    }
    return Optional.of(b.build());
  }

  private HTTPRoute route(
      OperationId op, String service, TrafficSplit split, Map<String, String> names) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RouterSupport.RELEASES_ANNOTATION, RouterSupport.encodeNames(names));
    annotations.put(RouterSupport.OPERATION_ANNOTATION, op.value());
    List<HTTPRouteRule> rules = new ArrayList<>();
    for (MatchRule r : split.rules()) {
      rules.add(
          new HTTPRouteRuleBuilder()
              .withMatches(match(r))
              .withBackendRefs(backendRef(KubernetesNames.releaseName(r.releaseId()), 1))
              .build());
    }
    List<HTTPBackendRef> refs = new ArrayList<>();
    split.weights().forEach((id, w) -> refs.add(backendRef(KubernetesNames.releaseName(id), w)));
    HTTPRouteRuleBuilder weighted = new HTTPRouteRuleBuilder().withBackendRefs(refs);
    Mirror mirror = split.mirror();
    if (mirror != null) {
      weighted.withFilters(
          new HTTPRouteFilterBuilder()
              .withType("RequestMirror")
              .withNewRequestMirror()
              .withNewBackendRef()
              .withName(KubernetesNames.releaseName(mirror.releaseId()))
              .withPort(port)
              .endBackendRef()
              .withNewFraction()
              .withNumerator(mirror.basisPoints())
              .withDenominator(TrafficSplit.TOTAL)
              .endFraction()
              .endRequestMirror()
              .build());
    }
    rules.add(weighted.build());
    List<ParentReference> parentRefs = new ArrayList<>();
    for (Parent p : parents) {
      ParentReference ref = new ParentReference();
      ref.setName(p.name());
      ref.setNamespace(p.namespace());
      ref.setSectionName(p.sectionName());
      parentRefs.add(ref);
    }
    return new HTTPRouteBuilder()
        .withNewMetadata()
        .withName(service)
        .withNamespace(namespace)
        .withLabels(RouterSupport.labels(service))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withParentRefs(parentRefs)
        .withHostnames(hostnames.isEmpty() ? null : hostnames)
        .withRules(rules)
        .endSpec()
        .build();
  }

  private HTTPBackendRef backendRef(String name, int weight) {
    return new HTTPBackendRefBuilder().withName(name).withPort(port).withWeight(weight).build();
  }

  private static HTTPRouteMatch match(MatchRule r) {
    HTTPHeaderMatch h = new HTTPHeaderMatch();
    if (r.kind() == MatchRule.Kind.HEADER) {
      h.setType("Exact");
      h.setName(r.name());
      h.setValue(r.value());
    } else {
      h.setType("RegularExpression");
      h.setName(COOKIE_HEADER);
      h.setValue(CookieRegex.of(r.name(), r.value()));
    }
    return new HTTPRouteMatchBuilder().withHeaders(h).build();
  }

  private static MatchRule matchRule(HTTPRouteRule rule, Map<String, String> ids, String where) {
    List<HTTPHeaderMatch> headers = rule.getMatches().get(0).getHeaders();
    List<HTTPBackendRef> refs = rule.getBackendRefs();
    if (rule.getMatches().size() != 1
        || headers == null
        || headers.size() != 1
        || refs == null
        || refs.size() != 1) {
      throw ProviderException.permanent(
          PROVIDER,
          "current",
          where
              + " has a rule Cutover did not write (one header match, one backend); apply a split again");
    }
    HTTPHeaderMatch h = headers.get(0);
    String id = RouterSupport.idOf(PROVIDER, ids, refs.get(0).getName(), where + " rule");
    if ("RegularExpression".equals(h.getType()) && COOKIE_HEADER.equalsIgnoreCase(h.getName())) {
      String[] cookie = CookieRegex.parse(h.getValue());
      if (cookie == null) {
        throw ProviderException.permanent(
            PROVIDER,
            "current",
            where + " has a cookie match Cutover did not write: " + h.getValue());
      }
      return new MatchRule(MatchRule.Kind.COOKIE, cookie[0], cookie[1], id);
    }
    return new MatchRule(MatchRule.Kind.HEADER, h.getName(), h.getValue(), id);
  }

  private static int mirrorBasisPoints(HTTPRequestMirrorFilter m) {
    if (m.getFraction() != null && m.getFraction().getNumerator() != null) {
      int denominator =
          m.getFraction().getDenominator() == null ? 100 : m.getFraction().getDenominator();
      return (int)
          Math.round(m.getFraction().getNumerator() * (double) TrafficSplit.TOTAL / denominator);
    }
    if (m.getPercent() != null) {
      return m.getPercent() * 100;
    }
    return TrafficSplit.TOTAL;
  }

  private Service releaseService(String service, String releaseName) {
    Map<String, String> labels = RouterSupport.labels(service);
    labels.put(KubernetesNames.RELEASE_LABEL, releaseName);
    labels.put(ROUTER_LABEL, PROVIDER);
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(KubernetesNames.SERVICE_LABEL, service);
    selector.put(KubernetesNames.RELEASE_LABEL, releaseName);
    return RouterSupport.service(
        releaseName, namespace, labels, Map.of(), selector, port, targetPort);
  }

  /** The Service names this router keeps for a split (for tests). */
  static Set<String> serviceNames(TrafficSplit split) {
    return RouterSupport.names(PROVIDER, split).keySet();
  }
}
