// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.provider.support.AppliedOperations;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Blue/green on plain Kubernetes: a Service named after the Cutover service whose selector is
 * switched to the pods of one release ({@code cutover.io/service=<service>}, {@code
 * cutover.io/release=<release name>}). Switching a selector is one write, so the change is atomic;
 * kube-proxy and the endpoints controller carry it out within seconds.
 *
 * <p><b>What it expresses.</b> Only splits where one release has 100 % and every other 0 %. A
 * fractional split (10 %/90 %) is refused with a non-retryable {@link ProviderException} naming
 * this router and the routers that can carry it. Match rules are expressed as a <em>preview
 * Service</em> ({@code <service>-preview}) that selects the one release the rules name (at weight
 * 0): the Service cannot look at headers, so whoever sends preview traffic (an ingress rule on the
 * header, a tester) addresses that Service; the rules are recorded on it and read back from it.
 * Rules naming two different releases, and mirrors, are refused.
 *
 * <p><b>Read back.</b> From the Services themselves: the selector names the release at 100 %; the
 * annotation {@value RouterSupport#RELEASES_ANNOTATION} lists the releases at 0 % (a selector names
 * only one), and the preview Service's selector and annotation give the rules.
 *
 * <p><b>Idempotency.</b> Writes are server-side applies of the whole object under Cutover's field
 * manager, so repeating one changes nothing; an operation id applied before a later one is ignored
 * (a stale retry must not undo a newer split).
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; one call at a time per service.
 */
public final class ServiceRouter implements Router {
  /** The provider name. */
  public static final String PROVIDER = "kubernetes-service";

  /** Suffix of the preview Service's name. */
  public static final String PREVIEW_SUFFIX = "-preview";

  /** Annotation on the preview Service holding its match rules. */
  static final String RULES_ANNOTATION = "cutover.io/preview-rules";

  private final KubernetesClient client;
  private final String namespace;
  private final String fieldManager;
  private final int port;
  private final String targetPort;
  private final Map<String, AppliedOperations> operations = new ConcurrentHashMap<>();

  /**
   * A router writing Services into {@code namespace}.
   *
   * @param port the Service port clients call
   * @param targetPort the pods' port, a number or a port name (the fleet names its port {@code
   *     http})
   */
  public ServiceRouter(
      KubernetesClient client, String namespace, String fieldManager, int port, String targetPort) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.fieldManager = Objects.requireNonNull(fieldManager, "fieldManager");
    this.port = port;
    this.targetPort = Objects.requireNonNull(targetPort, "targetPort");
  }

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    split.validate();
    String active = check(service, split);
    @Nullable String previewRelease = previewRelease(split);
    AppliedOperations ops = operations.computeIfAbsent(service, k -> new AppliedOperations());
    if (ops.isStale(op)) {
      return;
    }
    RouterSupport.checkBackends(PROVIDER, service, split, backends);
    Map<String, String> names = RouterSupport.names(PROVIDER, split);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RouterSupport.RELEASES_ANNOTATION, RouterSupport.encodeNames(names));
    annotations.put(RouterSupport.OPERATION_ANNOTATION, op.value());
    Service main =
        RouterSupport.service(
            service,
            namespace,
            RouterSupport.labels(service),
            annotations,
            selector(service, active),
            port,
            targetPort);
    try {
      client
          .services()
          .inNamespace(namespace)
          .resource(main)
          .fieldManager(fieldManager)
          .forceConflicts()
          .serverSideApply();
      if (previewRelease == null) {
        client.services().inNamespace(namespace).withName(service + PREVIEW_SUFFIX).delete();
      } else {
        Map<String, String> previewAnnotations = new LinkedHashMap<>(annotations);
        previewAnnotations.put(RULES_ANNOTATION, encodeRules(split.rules()));
        Service preview =
            RouterSupport.service(
                service + PREVIEW_SUFFIX,
                namespace,
                RouterSupport.labels(service),
                previewAnnotations,
                selector(service, previewRelease),
                port,
                targetPort);
        client
            .services()
            .inNamespace(namespace)
            .resource(preview)
            .fieldManager(fieldManager)
            .forceConflicts()
            .serverSideApply();
      }
    } catch (KubernetesClientException e) {
      throw RouterSupport.failure(PROVIDER, "route", "applying Service " + service, e);
    }
    ops.applied(op);
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    Service main;
    Service preview;
    try {
      main = client.services().inNamespace(namespace).withName(service).get();
      preview =
          main == null
              ? null
              : client.services().inNamespace(namespace).withName(service + PREVIEW_SUFFIX).get();
    } catch (KubernetesClientException e) {
      throw RouterSupport.failure(PROVIDER, "current", "reading Service " + service, e);
    }
    Map<String, String> ids = RouterSupport.decodeNames(main);
    if (main == null || ids.isEmpty()) {
      return Optional.empty();
    }
    String activeId =
        RouterSupport.idOf(PROVIDER, ids, selected(main), "the selector of Service " + service);
    TrafficSplit.Builder b = TrafficSplit.builder();
    ids.values().forEach(id -> b.weight(id, id.equals(activeId) ? TrafficSplit.TOTAL : 0));
    String rules = RouterSupport.annotation(preview, RULES_ANNOTATION);
    if (preview != null && rules != null) {
      String target =
          RouterSupport.idOf(
              PROVIDER,
              RouterSupport.decodeNames(preview),
              selected(preview),
              "the selector of Service " + service + PREVIEW_SUFFIX);
      decodeRules(rules, target).forEach(b::rule);
    }
    return Optional.of(b.build());
  }

  /** The release at 100 %, after refusing what a selector cannot express. */
  private static String check(String service, TrafficSplit split) {
    if (split.mirror() != null) {
      throw ProviderException.permanent(
          PROVIDER,
          "route",
          "a Service cannot mirror requests (split "
              + split
              + "); use the gateway-api or istio router for mirroring");
    }
    String active = null;
    for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
      int w = e.getValue();
      if (w != 0 && w != TrafficSplit.TOTAL) {
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "a Service selector sends all traffic to one release, but split "
                + split
                + " gives "
                + e.getKey()
                + " "
                + split.percent(e.getKey())
                + "%; use a blue-green strategy (0 % / 100 %) with this router, or the"
                + " gateway-api or istio router for canary weights");
      }
      if (w == TrafficSplit.TOTAL) {
        active = e.getKey();
      }
    }
    RouterSupport.checkServiceName(PROVIDER, service, PREVIEW_SUFFIX);
    return Objects.requireNonNull(active, "a valid split has a release at 100 %");
  }

  /** The one release the rules send to, or null without rules. */
  private static @Nullable String previewRelease(TrafficSplit split) {
    String target = null;
    for (MatchRule rule : split.rules()) {
      if (target != null && !target.equals(rule.releaseId())) {
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "match rules of split "
                + split
                + " name two releases, but there is one preview Service; send the rules to one"
                + " release, or use the gateway-api or istio router");
      }
      target = rule.releaseId();
    }
    return target;
  }

  private static Map<String, String> selector(String service, String releaseId) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(KubernetesNames.SERVICE_LABEL, service);
    selector.put(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(releaseId));
    return selector;
  }

  private static String selected(Service s) {
    Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
    String name = selector == null ? null : selector.get(KubernetesNames.RELEASE_LABEL);
    return name == null ? "" : name;
  }

  /** {@code KIND:name:value} per rule, parts percent-encoded, rules separated by ','. */
  static String encodeRules(List<MatchRule> rules) {
    List<String> parts = new ArrayList<>();
    for (MatchRule r : rules) {
      parts.add(
          r.kind().name()
              + ":"
              + RouterSupport.encode(r.name())
              + ":"
              + RouterSupport.encode(r.value()));
    }
    return String.join(",", parts);
  }

  static List<MatchRule> decodeRules(String value, String releaseId) {
    List<MatchRule> rules = new ArrayList<>();
    if (value.isEmpty()) {
      return rules;
    }
    for (String part : value.split(",", -1)) {
      String[] f = part.split(":", -1);
      if (f.length != 3) {
        throw ProviderException.permanent(
            PROVIDER,
            "current",
            "annotation " + RULES_ANNOTATION + " is not KIND:name:value; apply a split again");
      }
      rules.add(
          new MatchRule(
              MatchRule.Kind.valueOf(f[0]),
              RouterSupport.decode(f[1]),
              RouterSupport.decode(f[2]),
              releaseId));
    }
    return rules;
  }
}
