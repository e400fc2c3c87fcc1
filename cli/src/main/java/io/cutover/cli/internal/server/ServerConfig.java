// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.InvalidSpecException.Violation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The server's configuration file ({@code cutover serve --config server.yaml}), read and checked as
 * a whole before anything starts: every problem is reported at once, each with its JSON path and a
 * fix. Secrets (the token, the keystore password) are read from a file or an environment variable
 * named here, never written in this file, and are never part of {@link #toString()}.
 *
 * @param listen where the admin API listens; 127.0.0.1 unless configured
 * @param token the bearer token every request must carry (never logged)
 * @param specs a directory of spec files loaded at start, or null
 * @param journalType the journal provider's name ({@code file}, {@code postgres})
 * @param journalConfig the journal provider's settings
 * @param maxRequestBytes the largest request body accepted
 * @param tls the keystore for HTTPS, or null for plain HTTP
 */
public record ServerConfig(
    InetSocketAddress listen,
    Secret token,
    @Nullable Path specs,
    String journalType,
    Map<String, Object> journalConfig,
    int maxRequestBytes,
    @Nullable Tls tls) {

  /** The default port of the admin API. */
  public static final int DEFAULT_PORT = 7070;

  /** The default request size limit: the largest spec the parser reads. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

  /** The shortest token accepted: 16 characters (e.g. {@code openssl rand -hex 32} gives 64). */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Set<String> KEYS =
      Set.of("listen", "token", "specs", "journal", "limits", "tls");

  /**
   * A secret value read from a file or an environment variable; {@link #toString()} names only
   * where it came from.
   *
   * @param source where it came from, e.g. {@code env CUTOVER_TOKEN}
   * @param value the value
   */
  public record Secret(String source, String value) {
    @Override
    public String toString() {
      return "Secret[" + source + "]";
    }
  }

  /**
   * HTTPS settings.
   *
   * @param keystore the keystore file with the server's key and certificate
   * @param type the keystore type, {@code PKCS12} by default
   * @param password the keystore password
   */
  public record Tls(Path keystore, String type, Secret password) {}

  /**
   * Reads and checks a configuration file.
   *
   * @param env the process environment (for {@code env:} secrets)
   * @throws InvalidSpecException with every problem, paths prefixed by the file name
   */
  public static ServerConfig load(Path file, Function<String, @Nullable String> env) {
    JsonNode root;
    try {
      if (Files.size(file) > DEFAULT_MAX_REQUEST_BYTES) {
        throw new InvalidSpecException(
            file.toString(), "is larger than 1 MiB", "give the server's configuration file");
      }
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidSpecException(
          file.toString(),
          "cannot be read: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
          "give a readable YAML file (docs/cli.md, 'serve')");
    }
    return new Reader(file, root, env).read();
  }

  @Override
  public String toString() {
    return "ServerConfig[listen="
        + listen
        + ", token="
        + token
        + ", specs="
        + specs
        + ", journal="
        + journalType
        + ", maxRequestBytes="
        + maxRequestBytes
        + ", tls="
        + (tls == null ? "off" : tls.keystore())
        + "]";
  }

  /** Collects every problem, then throws them together. */
  private static final class Reader {
    private final Path file;
    private final @Nullable JsonNode root;
    private final Function<String, @Nullable String> env;
    private final Path base;
    private final List<Violation> problems = new ArrayList<>();

    Reader(Path file, @Nullable JsonNode root, Function<String, @Nullable String> env) {
      this.file = file;
      this.root = root;
      this.env = env;
      Path parent = file.toAbsolutePath().getParent();
      this.base = parent == null ? Path.of("") : parent;
    }

    ServerConfig read() {
      if (root == null || !root.isObject()) {
        throw new InvalidSpecException(
            file + ": $",
            "is not a YAML mapping",
            "write keys such as listen, token and journal (docs/cli.md, 'serve')");
      }
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!KEYS.contains(k)) {
          problem("$." + k, "is not a server setting", "remove it or use one of " + sorted(KEYS));
        }
      }
      InetSocketAddress listen = listen(root.path("listen"));
      Secret token = secret(root.path("token"), "$.token");
      if (token != null && token.value().length() < MIN_TOKEN_LENGTH) {
        problem(
            "$.token",
            "the token from "
                + token.source()
                + " is shorter than "
                + MIN_TOKEN_LENGTH
                + " characters",
            "use a long random token, e.g. the output of 'openssl rand -hex 32'");
      }
      Path specs = null;
      JsonNode s = root.path("specs");
      if (!s.isMissingNode() && !s.isNull()) {
        specs = path(s, "$.specs");
        if (specs != null && !Files.isDirectory(specs)) {
          problem(
              "$.specs", "'" + specs + "' is not a directory", "give a directory of spec files");
        }
      }
      String journalType = "";
      Map<String, Object> journalConfig = Map.of();
      JsonNode j = root.path("journal");
      if (!j.isObject()) {
        problem(
            "$.journal",
            j.isMissingNode() ? "is missing" : "is not a mapping",
            "say where rollouts are recorded, e.g. journal: {type: file, directory: /var/lib/cutover/journal}");
      } else if (!j.path("type").isTextual()) {
        problem("$.journal.type", "is missing", "name the journal provider: file or postgres");
      } else {
        journalType = j.path("type").asText();
        ObjectNode rest = ((ObjectNode) j).deepCopy();
        rest.remove("type");
        if (journalType.equals("file") && rest.path("directory").isTextual()) {
          rest.put("directory", base.resolve(rest.path("directory").asText()).toString());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new ObjectMapper().convertValue(rest, LinkedHashMap.class);
        journalConfig = m;
      }
      int maxBytes = DEFAULT_MAX_REQUEST_BYTES;
      JsonNode limits = root.path("limits");
      if (!limits.isMissingNode()) {
        for (Iterator<String> it = limits.fieldNames(); it.hasNext(); ) {
          String k = it.next();
          if (!k.equals("maxRequestBytes")) {
            problem("$.limits." + k, "is not a limit", "remove it or use maxRequestBytes");
          }
        }
        JsonNode mb = limits.path("maxRequestBytes");
        if (!mb.isMissingNode()) {
          if (!mb.canConvertToInt() || mb.asInt() < 1024 || mb.asInt() > 64 << 20) {
            problem(
                "$.limits.maxRequestBytes",
                "is " + mb,
                "give a number of bytes from 1024 to 67108864 (default 1048576)");
          } else {
            maxBytes = mb.asInt();
          }
        }
      }
      Tls tls = null;
      JsonNode t = root.path("tls");
      if (!t.isMissingNode() && !t.isNull()) {
        tls = tls(t);
      }
      if (!problems.isEmpty()) {
        throw new InvalidSpecException(problems);
      }
      return new ServerConfig(
          listen, Objects.requireNonNull(token), specs, journalType, journalConfig, maxBytes, tls);
    }

    private @Nullable Tls tls(JsonNode t) {
      for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!Set.of("keystore", "type", "password").contains(k)) {
          problem("$.tls." + k, "is not a TLS setting", "use keystore, type and password");
        }
      }
      Path ks = path(t.path("keystore"), "$.tls.keystore");
      if (ks != null && !Files.isReadable(ks)) {
        problem("$.tls.keystore", "'" + ks + "' cannot be read", "give the keystore file");
      }
      Secret pw = secret(t.path("password"), "$.tls.password");
      String type = t.path("type").asText("PKCS12");
      return ks == null || pw == null ? null : new Tls(ks, type, pw);
    }

    private InetSocketAddress listen(JsonNode n) {
      if (n.isMissingNode() || n.isNull()) {
        return new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
      }
      String v = n.asText();
      int colon = v.lastIndexOf(':');
      if (colon > 0) {
        try {
          int port = Integer.parseInt(v.substring(colon + 1));
          if (port >= 0 && port <= 65535) {
            String host = v.substring(0, colon);
            return new InetSocketAddress(
                host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
          }
        } catch (NumberFormatException e) {
          // reported below
        }
      }
      problem(
          "$.listen",
          "'" + v + "' is not host:port",
          "give an address such as 127.0.0.1:7070 (port 0 picks a free port)");
      return new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
    }

    private @Nullable Path path(JsonNode n, String at) {
      if (!n.isTextual() || n.asText().isBlank()) {
        problem(at, n.isMissingNode() ? "is missing" : "is not a path", "give a file path");
        return null;
      }
      return base.resolve(n.asText());
    }

    /** {@code {env: NAME}} or {@code {file: path}}: exactly one. */
    private @Nullable Secret secret(JsonNode n, String at) {
      String how = "give exactly one of {env: VARIABLE} or {file: /path/to/file}";
      if (!n.isObject() || n.size() != 1) {
        problem(
            at,
            n.isMissingNode()
                ? "is missing"
                : n.isTextual() ? "is written in the file: secrets are never" : "is not {env|file}",
            how);
        return null;
      }
      if (n.path("env").isTextual()) {
        String name = n.path("env").asText();
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
          problem(at + ".env", "the environment variable " + name + " is not set", "export it");
          return null;
        }
        return new Secret("env " + name, v.strip());
      }
      if (n.path("file").isTextual()) {
        Path p = base.resolve(n.path("file").asText());
        try {
          String v = Files.readString(p).strip();
          if (v.isEmpty()) {
            problem(at + ".file", "'" + p + "' is empty", "write the secret into it");
            return null;
          }
          return new Secret("file " + p, v);
        } catch (IOException e) {
          problem(at + ".file", "'" + p + "' cannot be read", "give a readable file");
          return null;
        }
      }
      problem(at, "names neither env nor file", how);
      return null;
    }

    private void problem(String at, String what, String fix) {
      problems.add(new Violation(file + ": " + at, what, fix));
    }

    private static List<String> sorted(Set<String> s) {
      return s.stream().sorted().toList();
    }
  }
}
