// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An nginx binary for fault injection, handed to a router with {@link
 * NginxRouter.Builder#nginx(Path)}: a script that runs the real nginx, except that once {@link
 * #arm()}ed, the next {@code -s reload} finds no pid file (as after a master that died or a pid
 * file someone removed) and fails for real.
 */
final class ReloadFault {
  private final Path script;
  private final Path flag;

  private ReloadFault(Path script, Path flag) {
    this.script = script;
    this.flag = flag;
  }

  /**
   * A wrapper of {@code realNginx} in {@code dir} for the NGINX whose pid file is {@code pidFile}.
   */
  static ReloadFault create(Path dir, Path realNginx, Path pidFile) throws IOException {
    Path flag = dir.resolve("fail-next-reload");
    Path script = dir.resolve("nginx-with-reload-fault");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "case \" $* \" in\n"
            + "  *\" -s reload \"*)\n"
            + "    if rm '"
            + flag
            + "' 2>/dev/null; then\n"
            + "      mv '"
            + pidFile
            + "' '"
            + pidFile
            + ".hidden'\n"
            + "      '"
            + realNginx
            + "' \"$@\"; rc=$?\n"
            + "      mv '"
            + pidFile
            + ".hidden' '"
            + pidFile
            + "'\n"
            + "      exit $rc\n"
            + "    fi;;\n"
            + "esac\n"
            + "exec '"
            + realNginx
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new ReloadFault(script, flag);
  }

  /** The binary to give the router. */
  Path binary() {
    return script;
  }

  /** Makes the next reload fail. */
  void arm() throws IOException {
    Files.writeString(flag, "armed\n");
  }

  /** Whether an armed fault is still waiting for its reload. */
  boolean armed() {
    return Files.exists(flag);
  }
}
