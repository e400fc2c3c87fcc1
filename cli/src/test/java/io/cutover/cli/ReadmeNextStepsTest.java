// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.core.ProviderRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the commands of the README's "Next steps" section in-process, with the providers the CLI
 * ships (discovered from the class path), as a user would after building the CLI.
 */
class ReadmeNextStepsTest {
  private static final String PREFIX = "java -jar cli/target/cutover.jar ";

  static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException("no README.md above the working directory");
  }

  static List<String[]> commands() throws IOException {
    String readme = Files.readString(root().resolve("README.md"));
    Matcher section = Pattern.compile("(?ms)^## Next steps.*?^```sh\\n(.*?)^```").matcher(readme);
    assertThat(section.find()).as("README.md has a Next steps section with a sh block").isTrue();
    List<String[]> out = new ArrayList<>();
    for (String line : section.group(1).lines().toList()) {
      assertThat(line).startsWith(PREFIX);
      String[] args = line.substring(PREFIX.length()).trim().split("\\s+");
      for (int i = 0; i < args.length; i++) {
        if (args[i].startsWith("docs/")) {
          args[i] = root().resolve(args[i]).toString();
        }
      }
      out.add(args);
    }
    return out;
  }

  /**
   * docs/spec.md's first example (local processes + HAProxy) names only providers the CLI ships:
   * {@code cutover validate} accepts it, gate settings included.
   */
  @Test
  void theLocalExampleOfTheSpecPageValidates(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    String page = Files.readString(root().resolve("docs/spec.md"));
    Matcher m = Pattern.compile("(?ms)^```yaml\\n(apiVersion: cutover.io/v1.*?)^```").matcher(page);
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).contains("type: haproxy").contains("type: local-process");
    Path file = dir.resolve("cutover.yaml");
    Files.writeString(file, m.group(1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new Cli(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> ProviderRegistry.create().withDiscovery()),
            "validate",
            file.toString());
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("valid: ");
  }

  @Test
  void theNextStepsCommandsSucceed() throws IOException {
    List<String[]> commands = commands();
    assertThat(commands).hasSizeGreaterThanOrEqualTo(2);
    for (String[] args : commands) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          Main.run(
              new Cli(
                  new PrintStream(out, true, StandardCharsets.UTF_8),
                  new PrintStream(err, true, StandardCharsets.UTF_8),
                  () -> ProviderRegistry.create().withDiscovery()),
              args);
      String shown = String.join(" ", Arrays.asList(args));
      assertThat(code).as(shown + "\n" + out + err).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).as(shown).isNotBlank();
    }
  }
}
