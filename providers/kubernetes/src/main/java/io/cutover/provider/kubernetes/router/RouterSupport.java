// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the three routers share: the annotations that let a split be read back whole from the
 * objects, the per-release Service, the checks made before any write, and the translation of client
 * failures into {@link ProviderException}s.
 */
final class RouterSupport {
  /** Annotation mapping the Kubernetes names a router wrote to Cutover release ids. */
  static final String RELEASES_ANNOTATION = "cutover.io/releases";

  /** Annotation holding the operation id of the last apply. */
  static final String OPERATION_ANNOTATION = "cutover.io/operation";

  /** Value of {@link KubernetesNames#MANAGED_BY_LABEL} on everything the routers write. */
  static final String MANAGED_BY = "cutover";

  private static final String DNS_1035 = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";

  private RouterSupport() {}

  /**
   * Fails unless {@code service} can name a Kubernetes object of {@code maxLength} characters
   * (after {@code suffix}).
   */
  static void checkServiceName(String provider, String service, String suffix) {
    String name = service + suffix;
    if (!name.matches(DNS_1035)) {
      throw ProviderException.permanent(
          provider,
          "route",
          "service '"
              + service
              + "' cannot name the Kubernetes object '"
              + name
              + "': use a service name of lowercase letters, digits and '-', starting with a letter,"
              + " at most "
              + (63 - suffix.length())
              + " characters");
    }
  }

  /** Fails if a release with weight has no READY instance: nothing would answer its share. */
  static void checkBackends(
      String provider, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    for (String id : split.releaseIds()) {
      if (split.weight(id) == 0) {
        continue;
      }
      boolean ready =
          backends.getOrDefault(id, List.of()).stream()
              .anyMatch(i -> i.state() == InstanceState.READY);
      if (!ready) {
        throw ProviderException.permanent(
            provider,
            "route",
            "release "
                + id
                + " of "
                + service
                + " has "
                + split.percent(id)
                + "% of traffic but no READY instance; nothing was changed (launch it first)");
      }
    }
  }

  /** The Kubernetes name of every release of the split, in split order. */
  static Map<String, String> names(String provider, TrafficSplit split) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String id : split.releaseIds()) {
      try {
        out.put(KubernetesNames.releaseName(id), id);
      } catch (IllegalArgumentException e) {
        throw ProviderException.permanent(provider, "route", String.valueOf(e.getMessage()), e);
      }
    }
    return out;
  }

  /** {@code name=id,name=id}: names and ids are DNS labels and release ids, without ',' or '='. */
  static String encodeNames(Map<String, String> namesToIds) {
    StringBuilder sb = new StringBuilder();
    namesToIds.forEach(
        (name, id) -> {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(name).append('=').append(id);
        });
    return sb.toString();
  }

  /** The inverse of {@link #encodeNames}; empty for a missing annotation. */
  static Map<String, String> decodeNames(@Nullable HasMetadata object) {
    Map<String, String> out = new LinkedHashMap<>();
    String value = annotation(object, RELEASES_ANNOTATION);
    if (value == null || value.isBlank()) {
      return out;
    }
    for (String pair : value.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return out;
  }

  static @Nullable String annotation(@Nullable HasMetadata object, String key) {
    if (object == null || object.getMetadata() == null) {
      return null;
    }
    Map<String, String> a = object.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /** The release id a Kubernetes name stands for, or a permanent error naming the object. */
  static String idOf(String provider, Map<String, String> namesToIds, String name, String where) {
    String id = namesToIds.get(name);
    if (id == null) {
      throw ProviderException.permanent(
          provider,
          "current",
          where
              + " names '"
              + name
              + "', which Cutover did not write (annotation "
              + RELEASES_ANNOTATION
              + " has no entry for it): someone else changed the object; apply a split again");
    }
    return id;
  }

  /** Percent-encodes a rule's parts so they survive in an annotation whatever they contain. */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The labels of everything a router writes for a service. */
  static Map<String, String> labels(String service) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(KubernetesNames.MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(KubernetesNames.SERVICE_LABEL, service);
    return labels;
  }

  /** A ClusterIP Service named {@code name} that selects {@code selector}, port → targetPort. */
  static Service service(
      String name,
      String namespace,
      Map<String, String> labels,
      Map<String, String> annotations,
      Map<String, String> selector,
      int port,
      String targetPort) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector)
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(port)
        .withTargetPort(targetPort(targetPort))
        .endPort()
        .endSpec()
        .build();
  }

  /** A named port stays a name, a number becomes a number. */
  static IntOrString targetPort(String value) {
    return value.chars().allMatch(Character::isDigit)
        ? new IntOrString(Integer.parseInt(value))
        : new IntOrString(value);
  }

  /**
   * A client failure as a {@link ProviderException}: the API server refusing the object (400, 403,
   * 404 of a kind that is not installed, 422) cannot be fixed by a retry; anything else (timeouts,
   * 409 conflicts, 429, 5xx, no connection) may be.
   */
  static ProviderException failure(
      String provider, String operation, String what, KubernetesClientException e) {
    int code = e.getCode();
    String message =
        what
            + ": "
            + (code > 0 ? "HTTP " + code + " " : "")
            + (e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage());
    boolean permanent = code == 400 || code == 403 || code == 404 || code == 422;
    return permanent
        ? ProviderException.permanent(provider, operation, message, e)
        : ProviderException.retryable(provider, operation, message, e);
  }
}
