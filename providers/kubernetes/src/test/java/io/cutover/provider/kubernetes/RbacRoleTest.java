// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.provider.kubernetes.RbacRole.Permission;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The request-to-RBAC translation the RBAC tests rely on, and the Role's own checks. */
class RbacRoleTest {
  private static List<String> keys(String method, String path, boolean created) {
    return RbacRole.permissions(method, path, created).stream().map(Permission::key).toList();
  }

  @Test
  @DisplayName("requests become the verbs the API server authorizes")
  void verbs() {
    assertThat(keys("GET", "/api/v1/namespaces/shop/services/checkout", false))
        .containsExactly("get core/services");
    assertThat(keys("GET", "/api/v1/namespaces/shop/pods?labelSelector=a%3Db", false))
        .containsExactly("list core/pods");
    assertThat(
            keys(
                "GET",
                "/apis/apps/v1/namespaces/shop/replicasets?allowWatchBookmarks=true&watch=true",
                false))
        .containsExactly("watch apps/replicasets");
    assertThat(keys("DELETE", "/api/v1/namespaces/shop/pods?labelSelector=a%3Db", false))
        .containsExactly("deletecollection core/pods");
    assertThat(keys("DELETE", "/api/v1/namespaces/shop/configmaps/c", false))
        .containsExactly("delete core/configmaps");
    assertThat(
            keys(
                "PATCH",
                "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/r?fieldManager=cutover",
                true))
        .as("a server-side apply that creates its object")
        .containsExactly(
            "patch gateway.networking.k8s.io/httproutes",
            "create gateway.networking.k8s.io/httproutes");
    assertThat(keys("PUT", "/api/v1/namespaces/shop/pods/p/status", false))
        .containsExactly("update core/pods/status");
    assertThat(keys("GET", "/apis", false)).as("discovery").isEmpty();
  }

  @Test
  @DisplayName("the Role allows only what it names, nothing cluster-scoped, and nothing on Secrets")
  void roleChecks() {
    RbacRole role = RbacRole.load();
    assertThat(
            role.allows(
                RbacRole.permissions("PATCH", "/apis/apps/v1/namespaces/x/replicasets/r", false)
                    .get(0)))
        .isTrue();
    assertThat(
            role.allows(
                RbacRole.permissions("PUT", "/apis/apps/v1/namespaces/x/replicasets/r", false)
                    .get(0)))
        .as("update is not granted")
        .isFalse();
    assertThat(
            role.allows(
                RbacRole.permissions("GET", "/api/v1/namespaces/x/secrets/s", false).get(0)))
        .isFalse();
    assertThat(role.allows(RbacRole.permissions("GET", "/api/v1/nodes", false).get(0)))
        .as("cluster-scoped")
        .isFalse();
    assertThat(role.grants(r -> true)).noneMatch(g -> g.contains("secrets") || g.contains("*"));
  }
}
