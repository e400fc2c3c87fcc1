// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * TEST CODE: the Role shipped in docs/kubernetes.md (test resource {@code rbac/cutover-role.yaml})
 * and the translation of an HTTP request to the API server into what RBAC authorizes: a verb, an
 * API group, a resource (with its subresource, e.g. {@code replicasets/scale}) and a namespace. The
 * verbs are the API server's: GET of one object is {@code get}, of a collection {@code list}, with
 * {@code watch=true} {@code watch}; POST {@code create}; PUT {@code update}; PATCH {@code patch}
 * (and {@code create} too when a server-side apply creates the object, as the API server authorizes
 * it); DELETE of one object {@code delete}, of a collection {@code deletecollection}.
 */
public final class RbacRole {
  /** The Role's resource path. */
  public static final String RESOURCE = "/rbac/cutover-role.yaml";

  /** What one request needs from RBAC; {@code namespace} is null for a cluster-scoped request. */
  public record Permission(
      String verb, String group, String resource, @Nullable String namespace, String request) {
    /** {@code verb group/resource}, e.g. {@code patch gateway.networking.k8s.io/httproutes}. */
    public String key() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
    }
  }

  private final Role role;

  private RbacRole(Role role) {
    this.role = role;
  }

  /** The Role of the test resource. */
  public static RbacRole load() {
    try (InputStream in =
        Objects.requireNonNull(RbacRole.class.getResourceAsStream(RESOURCE), RESOURCE)) {
      return new RbacRole(Serialization.unmarshal(in, Role.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Role object. */
  public Role role() {
    return role;
  }

  /**
   * Whether the Role allows {@code p}: a rule naming its group, resource and verb without {@code
   * resourceNames} (wildcards are not honoured: the shipped Role must not use them). A Role grants
   * nothing cluster-scoped, so {@code p} must have a namespace; which one does not matter, since
   * the Role is created in the namespace the providers are configured with.
   */
  public boolean allows(Permission p) {
    if (p.namespace() == null) {
      return false;
    }
    for (PolicyRule rule : role.getRules()) {
      if (rule.getApiGroups().contains(p.group())
          && rule.getResources().contains(p.resource())
          && rule.getVerbs().contains(p.verb())
          && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty())) {
        return true;
      }
    }
    return false;
  }

  /** Every {@code verb group/resource} the Role grants, for resources matching {@code filter}. */
  public Set<String> grants(Predicate<String> resourceFilter) {
    Set<String> out = new LinkedHashSet<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          if (!resourceFilter.test(resource)) {
            continue;
          }
          for (String verb : rule.getVerbs()) {
            out.add(new Permission(verb, group, resource, "", "").key());
          }
        }
      }
    }
    return out;
  }

  /**
   * What a request needs, or an empty list for the discovery and version endpoints ({@code /api},
   * {@code /apis}, {@code /version}), which every authenticated user may read (the built-in {@code
   * system:discovery} ClusterRole).
   *
   * @param createdByApply whether the request was a server-side apply that created its object
   */
  public static List<Permission> permissions(
      String method, String pathAndQuery, boolean createdByApply) {
    String path = pathAndQuery;
    String query = "";
    int q = path.indexOf('?');
    if (q >= 0) {
      query = path.substring(q + 1);
      path = path.substring(0, q);
    }
    String request = method + " " + pathAndQuery;
    List<String> parts = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        parts.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    String group;
    int rest;
    if (!parts.isEmpty() && parts.get(0).equals("api")) {
      group = "";
      rest = 2; // api/v1/...
    } else if (!parts.isEmpty() && parts.get(0).equals("apis")) {
      rest = 3; // apis/group/version/...
      group = parts.size() > 1 ? parts.get(1) : "";
    } else {
      if (!parts.isEmpty() && parts.get(0).equals("version")) {
        return List.of();
      }
      throw new IllegalArgumentException("not an API request: " + request);
    }
    if (parts.size() <= rest) {
      return List.of(); // discovery
    }
    List<String> tail = parts.subList(rest, parts.size());
    String namespace = null;
    if (tail.get(0).equals("namespaces") && tail.size() >= 3) {
      namespace = tail.get(1);
      tail = tail.subList(2, tail.size());
    }
    String resource = tail.get(0);
    String name = tail.size() > 1 ? tail.get(1) : null;
    if (tail.size() > 2) {
      resource = resource + "/" + tail.get(2);
    }
    boolean watch = Set.of(query.split("&")).contains("watch=true");
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : name == null ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default -> throw new IllegalArgumentException("unexpected method: " + request);
        };
    List<Permission> out = new ArrayList<>();
    out.add(new Permission(verb, group, resource, namespace, request));
    if (createdByApply) {
      out.add(new Permission("create", group, resource, namespace, request));
    }
    return out;
  }
}
