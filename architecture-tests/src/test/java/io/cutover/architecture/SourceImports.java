// SPDX-License-Identifier: Apache-2.0
package io.cutover.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code import} lines of every Java source file in the project, with the module each file and
 * each package belongs to. Class files cannot show every use: a compile-time constant such as
 * {@code CosignSignatures.PAYLOAD_TYPE} is copied into the caller, so a test that imports only a
 * constant leaves no trace in its bytecode. The source does.
 */
final class SourceImports {

  private static final Pattern PACKAGE =
      Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;", Pattern.MULTILINE);

  /** One import line: the file, its module, and what it names. */
  record Import(Path file, String module, String imported) {}

  private final Map<String, String> moduleOfPackage = new TreeMap<>();
  private final List<Import> imports = new ArrayList<>();

  private SourceImports() {}

  static SourceImports read(Path root, String excludedModule) {
    SourceImports s = new SourceImports();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files =
          walk.filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p ->
                      root.relativize(p).toString().contains("/src/")
                          || root.relativize(p).startsWith("src"))
              .filter(p -> !root.relativize(p).startsWith(excludedModule))
              .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
              .sorted()
              .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the sources under " + root, e);
    }
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      String rel = root.relativize(file).toString();
      String module = rel.substring(0, Math.max(0, rel.indexOf("/src/")));
      Matcher pkg = PACKAGE.matcher(text);
      if (pkg.find()) {
        // A package belongs to the module whose main code declares it; tests may borrow a package.
        if (rel.contains("/src/main/")) {
          s.moduleOfPackage.put(pkg.group(1), module);
        } else {
          s.moduleOfPackage.putIfAbsent(pkg.group(1), module);
        }
      }
      Matcher imp = IMPORT.matcher(text);
      while (imp.find()) {
        s.imports.add(new Import(root.relativize(file), module, imp.group(1)));
      }
    }
    return s;
  }

  List<Import> imports() {
    return imports;
  }

  /** The module that declares the longest package that {@code name} starts with, or null. */
  String moduleDeclaring(String name) {
    String n = name;
    while (n.contains(".")) {
      String m = moduleOfPackage.get(n);
      if (m != null) {
        return m;
      }
      n = n.substring(0, n.lastIndexOf('.'));
    }
    return null;
  }
}
