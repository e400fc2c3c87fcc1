// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.cli.internal.client.AdminClient;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every verb that talks to a server shares: where it is, where the token comes from,
 * and the output format. Checked before any request: a bad URL, a missing token or an unknown
 * format is bad input (exit 2).
 */
final class ServerOptions {
  /** The environment variable that holds the token. */
  static final String TOKEN_ENV = "CUTOVER_TOKEN";

  /** The environment variable that names the server. */
  static final String SERVER_ENV = "CUTOVER_SERVER";

  @Option(
      names = "--server",
      paramLabel = "<url>",
      description =
          "The server's admin API, e.g. http://127.0.0.1:7070 (default: $CUTOVER_SERVER, else"
              + " http://127.0.0.1:7070).")
  @Nullable String server;

  @Option(
      names = "--token-file",
      paramLabel = "<file>",
      description = "A file holding the server's token (default: $CUTOVER_TOKEN).")
  @Nullable Path tokenFile;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json",
      defaultValue = "text",
      description = "text (default) or json (the server's answer as it is).")
  String output = "text";

  @Spec(Spec.Target.MIXEE)
  @Nullable CommandSpec spec;

  boolean json() {
    return output.equals("json");
  }

  /** A client, or a {@link ParameterException} (exit 2) naming what is missing. */
  AdminClient client(Cli cli) {
    CommandLine cl = Objects.requireNonNull(spec, "picocli injects the spec").commandLine();
    if (!output.equals("text") && !output.equals("json")) {
      throw new ParameterException(cl, "--output is '" + output + "' (fix: use text or json)");
    }
    String url = server;
    if (url == null) {
      url = cli.env().apply(SERVER_ENV);
    }
    if (url == null || url.isBlank()) {
      url = "http://127.0.0.1:7070";
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new ParameterException(
          cl,
          "--server '"
              + url
              + "' is not an http(s) URL (fix: e.g. --server http://127.0.0.1:7070)");
    }
    return new AdminClient(uri, token(cli, cl), Duration.ofSeconds(30));
  }

  private String token(Cli cli, CommandLine cl) {
    if (tokenFile != null) {
      try {
        String t = Files.readString(tokenFile).strip();
        if (t.isEmpty()) {
          throw new ParameterException(
              cl,
              "--token-file " + tokenFile + " is empty (fix: write the server's token into it)");
        }
        return t;
      } catch (IOException e) {
        throw new ParameterException(
            cl, "--token-file " + tokenFile + " cannot be read (fix: give a readable file)");
      }
    }
    String t = cli.env().apply(TOKEN_ENV);
    if (t == null || t.isBlank()) {
      throw new ParameterException(
          cl,
          "no token (fix: export "
              + TOKEN_ENV
              + "=<the server's token>, or give --token-file <file>)");
    }
    return t.strip();
  }
}
