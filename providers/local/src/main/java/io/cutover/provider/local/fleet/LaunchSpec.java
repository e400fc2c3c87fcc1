// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.InvalidSpecException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How to start an artifact as a process, read from its launch labels and media type. The labels
 * come from the artifact's {@link io.cutover.provider.local.store.LaunchManifest} config blob,
 * which its digest covers — never from a store's mutable index.
 *
 * <ul>
 *   <li>{@value #LABEL_KIND}: {@code jar} (run with {@code java -jar}; the default for media type
 *       {@code application/java-archive}) or {@code command} (a directory artifact, imported as a
 *       tar, started by {@value #LABEL_COMMAND}).
 *   <li>{@value #LABEL_COMMAND}: the start command of a directory artifact, split on spaces; the
 *       first word is a path inside the artifact, e.g. {@code bin/server --fast} (absolute paths
 *       and {@code ..} are refused with {@link UnsafeArtifactException}).
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
   * The launch of a plain executable jar without launch labels: {@code java -jar}, {@code
   * /healthz}.
   */
  public static LaunchSpec defaultJar() {
    return new LaunchSpec(Kind.JAR, List.of(), "/healthz", List.of());
  }

  /**
   * Reads a launch specification from the launch labels of an artifact's {@link
   * io.cutover.provider.local.store.LaunchManifest} config and the media type of its content.
   *
   * @param labels the launch labels (from the content-addressed config blob, never the index)
   * @param mediaType the content's media type
   * @param artifact the artifact reference, for messages
   * @throws InvalidSpecException naming the label that is missing or wrong
   * @throws UnsafeArtifactException if the start command is absolute or leaves the artifact
   */
  public static LaunchSpec of(Map<String, String> labels, String mediaType, String artifact) {
    String kindLabel = labels.get(LABEL_KIND);
    Kind kind;
    if (kindLabel == null) {
      if (mediaType.equals("application/java-archive")) {
        kind = Kind.JAR;
      } else if (mediaType.equals("application/x-tar")) {
        kind = Kind.COMMAND;
      } else {
        throw new InvalidSpecException(
            "artifact.labels." + LABEL_KIND,
            "is missing and media type '"
                + mediaType
                + "' of "
                + artifact
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
    if (kind == Kind.COMMAND && !mediaType.equals("application/x-tar")) {
      throw new InvalidSpecException(
          "artifact.mediaType",
          "is '"
              + mediaType
              + "' but a command artifact must be a directory imported as application/x-tar",
          "import the directory with FilesystemArtifactStore.importDirectory");
    }
    List<String> command = kind == Kind.COMMAND ? words(labels.get(LABEL_COMMAND)) : List.of();
    if (!command.isEmpty()) {
      requireInside(command.get(0), artifact);
    }
    return new LaunchSpec(
        kind,
        command,
        labels.getOrDefault(LABEL_READY_PATH, "/healthz"),
        kind == Kind.JAR ? words(labels.get(LABEL_JAVA_OPTIONS)) : List.of());
  }

  /**
   * Refuses a program path that is absolute or leaves the artifact: what runs must be content the
   * digest covers, not a program of the host.
   */
  static void requireInside(String program, String artifact) {
    String where = "launch command '" + program + "'";
    if (program.startsWith("/") || program.startsWith("\\") || program.startsWith("~")) {
      throw new UnsafeArtifactException(
          artifact,
          where,
          "is an absolute path: only a program inside the artifact may run",
          "name a program of the artifact relative to its root, e.g. bin/server; to run a host"
              + " program, ship a start script in the artifact");
    }
    for (String segment : program.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw new UnsafeArtifactException(
            artifact,
            where,
            "leaves the artifact through '..'",
            "name a program of the artifact relative to its root, e.g. bin/server");
      }
    }
  }

  private static List<String> words(@Nullable String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }
}
