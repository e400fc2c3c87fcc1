// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.Artifact;
import io.cutover.api.InvalidSpecException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How to start an artifact as a process, read from its labels and media type.
 *
 * <ul>
 *   <li>{@value #LABEL_KIND}: {@code jar} (run with {@code java -jar}; the default for media type
 *       {@code application/java-archive}) or {@code command} (a directory artifact, imported as a
 *       tar, started by {@value #LABEL_COMMAND}).
 *   <li>{@value #LABEL_COMMAND}: the start command of a directory artifact, split on spaces; a
 *       first word without a leading {@code /} is a path inside the artifact, e.g. {@code
 *       bin/server --fast}.
 *   <li>{@value #LABEL_READY_PATH}: the HTTP path answered with 2xx once the instance is ready
 *       (default {@code /healthz}).
 *   <li>{@value #LABEL_JAVA_OPTIONS}: JVM options for a jar, split on spaces.
 * </ul>
 *
 * @param kind how the artifact runs
 * @param command the start command of a directory artifact (empty for a jar)
 * @param readyPath the readiness path, starting with {@code /}
 * @param javaOptions JVM options for a jar (empty for a command)
 */
public record LaunchSpec(
    Kind kind, List<String> command, String readyPath, List<String> javaOptions) {
  /** Label naming the kind. */
  public static final String LABEL_KIND = "io.cutover.launch.kind";

  /** Label holding the start command of a directory artifact. */
  public static final String LABEL_COMMAND = "io.cutover.launch.command";

  /** Label holding the readiness path. */
  public static final String LABEL_READY_PATH = "io.cutover.launch.ready-path";

  /** Label holding JVM options for a jar. */
  public static final String LABEL_JAVA_OPTIONS = "io.cutover.launch.java-options";

  /** How an artifact runs. */
  public enum Kind {
    /** An executable jar, run as {@code java [options] -jar <artifact>}. */
    JAR,
    /** A directory (tar artifact) with a start command. */
    COMMAND;

    /** The label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Validates and copies. */
  public LaunchSpec {
    command = List.copyOf(command);
    javaOptions = List.copyOf(javaOptions);
    if (kind == Kind.COMMAND && command.isEmpty()) {
      throw new InvalidSpecException(
          "artifact.labels." + LABEL_COMMAND,
          "is missing for a command artifact",
          "label the artifact with its start command, e.g. 'bin/server'");
    }
    if (!readyPath.startsWith("/")) {
      throw new InvalidSpecException(
          "artifact.labels." + LABEL_READY_PATH,
          "'" + readyPath + "' is not a path",
          "use an HTTP path such as /healthz");
    }
  }

  /**
   * Reads the launch specification of an artifact.
   *
   * @throws InvalidSpecException naming the label that is missing or wrong
   */
  public static LaunchSpec of(Artifact artifact) {
    String kindLabel = artifact.labels().get(LABEL_KIND);
    Kind kind;
    if (kindLabel == null) {
      if (artifact.mediaType().equals("application/java-archive")) {
        kind = Kind.JAR;
      } else if (artifact.mediaType().equals("application/x-tar")) {
        kind = Kind.COMMAND;
      } else {
        throw new InvalidSpecException(
            "artifact.labels." + LABEL_KIND,
            "is missing and media type '"
                + artifact.mediaType()
                + "' of "
                + artifact.ref()
                + " says nothing about how to run it",
            "label the artifact " + LABEL_KIND + "=jar or =command (with " + LABEL_COMMAND + ")");
      }
    } else {
      kind =
          switch (kindLabel) {
            case "jar" -> Kind.JAR;
            case "command" -> Kind.COMMAND;
            default ->
                throw new InvalidSpecException(
                    "artifact.labels." + LABEL_KIND,
                    "is '" + kindLabel + "'",
                    "use 'jar' or 'command'");
          };
    }
    if (kind == Kind.COMMAND && !artifact.mediaType().equals("application/x-tar")) {
      throw new InvalidSpecException(
          "artifact.mediaType",
          "is '"
              + artifact.mediaType()
              + "' but a command artifact must be a directory imported as application/x-tar",
          "import the directory with FilesystemArtifactStore.importDirectory");
    }
    return new LaunchSpec(
        kind,
        words(artifact.labels().get(LABEL_COMMAND)),
        artifact.labels().getOrDefault(LABEL_READY_PATH, "/healthz"),
        kind == Kind.JAR ? words(artifact.labels().get(LABEL_JAVA_OPTIONS)) : List.of());
  }

  private static List<String> words(@Nullable String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }
}
