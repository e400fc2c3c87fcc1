// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The one place the fleet and the routers get a {@link KubernetesClient} and a namespace from
 * configuration, so every Kubernetes provider reads the same keys the same way:
 *
 * <ul>
 *   <li>{@code inCluster} ({@code true}/{@code false}, default false): use the pod's service
 *       account (token, CA and namespace under {@code
 *       /var/run/secrets/kubernetes.io/serviceaccount}, API server from {@code
 *       KUBERNETES_SERVICE_HOST}/{@code _PORT}); the token file is re-read on every request, since
 *       the kubelet rotates it;
 *   <li>{@code kubeconfig}: path of a kubeconfig file; {@code context}: the context in it (default
 *       its current context). Without {@code inCluster} and {@code kubeconfig}, fabric8's usual
 *       discovery applies ({@code KUBECONFIG}, {@code ~/.kube/config}, then the service account);
 *   <li>{@code namespace}: where every object lives (default: the context's or the service
 *       account's namespace, else {@code default});
 *   <li>{@code fieldManager}: the server-side-apply field manager (default {@value
 *       #DEFAULT_FIELD_MANAGER}).
 * </ul>
 *
 * <p>A host (or a test) that already has a client registers it as a component ({@code
 * ProviderRegistry.withComponent(KubernetesClient.class, client)}): {@link #client} then returns it
 * and no connection keys may be given. Errors are {@link InvalidSpecException}s naming the key.
 */
public final class KubernetesClients {
  /** The keys {@link #client} and {@link #namespace} read; add them to a provider's known keys. */
  public static final Set<String> KEYS =
      Set.of("inCluster", "kubeconfig", "context", "namespace", "fieldManager");

  /** The field manager Cutover's server-side applies use unless configured otherwise. */
  public static final String DEFAULT_FIELD_MANAGER = "cutover";

  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private KubernetesClients() {}

  /**
   * The client for a provider's configuration: the host's registered client if there is one,
   * otherwise a new client built from the keys above. The caller owns a new client (close it when
   * the provider closes); see {@link #isShared}.
   *
   * @throws InvalidSpecException naming the key that is wrong (a kubeconfig that cannot be read, an
   *     in-cluster configuration outside a pod, both {@code inCluster} and {@code kubeconfig})
   */
  public static KubernetesClient client(ProviderConfig config, ProviderContext context) {
    var registered = context.lookup(KubernetesClient.class);
    if (registered.isPresent()) {
      for (String key : new String[] {"inCluster", "kubeconfig", "context"}) {
        if (config.has(key)) {
          throw new InvalidSpecException(
              config.pathOf(key),
              "is set, but the host registered its own KubernetesClient",
              "remove '" + key + "', or do not register a KubernetesClient component");
        }
      }
      return registered.get();
    }
    return new KubernetesClientBuilder().withConfig(config(config, System.getenv())).build();
  }

  /** Whether {@code client} is the host's (not to be closed by the provider). */
  public static boolean isShared(KubernetesClient client, ProviderContext context) {
    return context.lookup(KubernetesClient.class).filter(c -> c == client).isPresent();
  }

  /** The namespace for a provider: the {@code namespace} key, else the client's, else default. */
  public static String namespace(ProviderConfig config, KubernetesClient client) {
    String ns = config.getString("namespace");
    if (ns == null) {
      ns = client.getNamespace();
    }
    if (ns == null || ns.isBlank()) {
      return "default";
    }
    if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new InvalidSpecException(
          config.pathOf("namespace"),
          "'" + ns + "' is not a Kubernetes namespace name",
          "use a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters");
    }
    return ns;
  }

  /** The server-side-apply field manager: the {@code fieldManager} key or {@code cutover}. */
  public static String fieldManager(ProviderConfig config) {
    String fm = config.getString("fieldManager", DEFAULT_FIELD_MANAGER);
    if (fm.isBlank() || fm.length() > 128) {
      throw new InvalidSpecException(
          config.pathOf("fieldManager"),
          "must be 1-128 characters",
          "use a short name such as 'cutover'");
    }
    return fm;
  }

  /** The fabric8 configuration for the keys, without connecting. Package-private for tests. */
  static Config config(ProviderConfig config, Map<String, String> env) {
    boolean inCluster = config.getBoolean("inCluster", false);
    String kubeconfig = config.getString("kubeconfig");
    String ctx = config.getString("context");
    if (inCluster && kubeconfig != null) {
      throw new InvalidSpecException(
          config.pathOf("kubeconfig"),
          "is set together with inCluster: true",
          "use either the pod's service account (inCluster) or a kubeconfig file, not both");
    }
    if (inCluster) {
      if (ctx != null) {
        throw new InvalidSpecException(
            config.pathOf("context"),
            "is set together with inCluster: true",
            "a context selects an entry of a kubeconfig file; remove it");
      }
      return inCluster(config, env);
    }
    if (kubeconfig != null) {
      Path file = Path.of(kubeconfig);
      if (!Files.isReadable(file)) {
        throw new InvalidSpecException(
            config.pathOf("kubeconfig"),
            "'" + kubeconfig + "' is not a readable file",
            "give the path of a kubeconfig file, e.g. ~/.kube/config expanded");
      }
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return Config.fromKubeconfig(ctx, text, file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        throw new InvalidSpecException(
            config.pathOf(ctx == null ? "kubeconfig" : "context"),
            "could not be used: " + e.getMessage(),
            "check that the file is a kubeconfig and that the context exists in it");
      }
    }
    return Config.autoConfigure(ctx);
  }

  private static Config inCluster(ProviderConfig config, Map<String, String> env) {
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    Path token = SERVICE_ACCOUNT.resolve("token");
    if (host == null || !Files.isReadable(token)) {
      throw new InvalidSpecException(
          config.pathOf("inCluster"),
          "is true, but this process does not run in a pod with a service account"
              + " (no KUBERNETES_SERVICE_HOST or no readable "
              + token
              + ")",
          "run inside the cluster with automountServiceAccountToken, or use 'kubeconfig'");
    }
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    ConfigBuilder b =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("https://" + hostPart + ":" + port)
            .withCaCertFile(SERVICE_ACCOUNT.resolve("ca.crt").toString())
            .withOauthTokenProvider(() -> readTrimmed(token));
    Path ns = SERVICE_ACCOUNT.resolve("namespace");
    if (Files.isReadable(ns)) {
      b.withNamespace(readTrimmed(ns));
    }
    return b.build();
  }

  private static String readTrimmed(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
