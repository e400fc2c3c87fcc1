// The checks behind .ci/release-check, as a single-file Java program (java .ci/ReleaseCheck.java ...):
//   modules                        prints the directory of every published module, one a line
//   hash OUT                       writes the SHA-256 of every artifact the published modules' target/ holds
//   compare BEFORE AFTER           fails unless two such hash lists are identical (reproducible builds)
//   staged REPO                    fails unless REPO holds every file a release needs for every published module
// "Published" is the build's one rule: a module whose POM does not set maven.deploy.skip to true.

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

public class ReleaseCheck {

  /** Checksums deployed next to every file; release-check asks the resolver for all four. */
  static final List<String> CHECKSUMS = List.of("md5", "sha1", "sha256", "sha512");
  /** What Maven Central requires of a jar module, plus the SBOM this project promises. */
  static final List<String> JAR_FILES = List.of(".pom", ".jar", "-sources.jar", "-javadoc.jar",
      "-cyclonedx.json", "-cyclonedx.xml");
  /** Extra files of one module: the CLI distribution. */
  static final Map<String, List<String>> EXTRA = Map.of("cutover-cli", List.of("-bin.tar.gz"));
  /** Files compared between two builds: everything a release publishes from target/. */
  static final Pattern ARTIFACT = Pattern.compile(".*\\.(jar|tar\\.gz)|bom\\.(json|xml)");

  record Module(Path dir, String artifactId, String packaging, String version) {}

  public static void main(String[] args) throws Exception {
    Path root = Paths.get("").toAbsolutePath();
    switch (args.length == 0 ? "" : args[0]) {
      case "modules" -> published(root).forEach(m -> System.out.println(m.artifactId() + " " + root.relativize(m.dir())));
      case "hash" -> Files.write(Paths.get(args[1]), hashes(root));
      case "compare" -> System.exit(compare(Paths.get(args[1]), Paths.get(args[2])));
      case "staged" -> System.exit(staged(root, Paths.get(args[1])));
      default -> {
        System.err.println("usage: java .ci/ReleaseCheck.java modules | hash OUT | compare BEFORE AFTER | staged REPO");
        System.exit(2);
      }
    }
  }

  static List<String> hashes(Path root) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Module m : published(root)) {
      Path target = m.dir().resolve("target");
      if (!Files.isDirectory(target)) {
        continue;
      }
      try (Stream<Path> files = Files.list(target)) {
        for (Path f : files.filter(p -> ARTIFACT.matcher(p.getFileName().toString()).matches()).sorted().toList()) {
          lines.add(sha256(f) + "  " + root.relativize(f));
        }
      }
    }
    return lines;
  }

  static int compare(Path before, Path after) throws IOException {
    Map<String, String> a = readHashes(before);
    Map<String, String> b = readHashes(after);
    List<String> problems = new ArrayList<>();
    for (String file : a.keySet()) {
      if (!b.containsKey(file)) {
        problems.add("only in the first build: " + file);
      } else if (!a.get(file).equals(b.get(file))) {
        problems.add("differs between the two builds: " + file);
      }
    }
    b.keySet().stream().filter(f -> !a.containsKey(f)).forEach(f -> problems.add("only in the second build: " + f));
    if (a.isEmpty()) {
      problems.add("the first build left no artifact: run ./mvnw verify first");
    }
    problems.forEach(p -> System.out.println("NOT REPRODUCIBLE: " + p));
    if (problems.isEmpty()) {
      System.out.println("reproducible: " + a.size() + " artifacts byte-identical across two clean builds");
    } else {
      System.out.println("inspect with: diffoscope (or unzip both and diff -r); see docs/releasing.md");
    }
    return problems.isEmpty() ? 0 : 1;
  }

  static int staged(Path root, Path repo) throws IOException {
    List<Module> modules = new ArrayList<>(published(root));
    List<String> missing = new ArrayList<>();
    int found = 0;
    for (Module m : modules) {
      Path dir = repo.resolve("io/cutover").resolve(m.artifactId()).resolve(m.version());
      List<String> suffixes = new ArrayList<>(m.packaging().equals("jar") ? JAR_FILES : List.of(".pom"));
      suffixes.addAll(EXTRA.getOrDefault(m.artifactId(), List.of()));
      List<String> names = Files.isDirectory(dir) ? list(dir) : List.of();
      String version = m.version().endsWith("-SNAPSHOT")
          ? Pattern.quote(m.version().replace("-SNAPSHOT", "")) + "-\\d{8}\\.\\d{6}-\\d+"
          : Pattern.quote(m.version());
      for (String suffix : suffixes) {
        Pattern file = Pattern.compile(Pattern.quote(m.artifactId()) + "-" + version + Pattern.quote(suffix));
        Optional<String> artifact = names.stream().filter(n -> file.matcher(n).matches()).findFirst();
        if (artifact.isEmpty()) {
          missing.add(m.artifactId() + ": no " + m.artifactId() + "-" + m.version() + suffix + " in " + dir);
          continue;
        }
        found++;
        for (String sum : CHECKSUMS) {
          Path checksum = dir.resolve(artifact.get() + "." + sum);
          if (!Files.isRegularFile(checksum)) {
            missing.add(m.artifactId() + ": no checksum " + checksum.getFileName());
          } else if (sum.equals("sha256")
              && !Files.readString(checksum).trim().startsWith(sha256(dir.resolve(artifact.get())))) {
            missing.add(m.artifactId() + ": " + checksum.getFileName() + " does not match the file");
          }
        }
      }
    }
    missing.forEach(p -> System.out.println("MISSING: " + p));
    if (missing.isEmpty()) {
      System.out.println("staged: " + modules.size() + " published modules, " + found + " files, each with "
          + String.join("/", CHECKSUMS) + " checksums (signatures are added by -Prelease, not checked here)");
    }
    return missing.isEmpty() ? 0 : 1;
  }

  /** The published modules of the reactor, from the root POM down its modules. */
  static List<Module> published(Path root) {
    List<Module> all = new ArrayList<>();
    collect(root, null, all);
    return all;
  }

  private static void collect(Path dir, String inheritedVersion, List<Module> into) {
    Element pom = read(dir.resolve("pom.xml"));
    String version = text(pom, "version").orElse(inheritedVersion);
    boolean skip = child(pom, "properties").flatMap(p -> text(p, "maven.deploy.skip"))
        .map(Boolean::parseBoolean).orElse(false);
    if (!skip) {
      into.add(new Module(dir, text(pom, "artifactId").orElseThrow(), text(pom, "packaging").orElse("jar"), version));
    }
    child(pom, "modules").ifPresent(ms -> children(ms, "module")
        .forEach(m -> collect(dir.resolve(m.getTextContent().trim()).normalize(), version, into)));
  }

  private static Element read(Path pom) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + pom + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Element> child(Element parent, String name) {
    return children(parent, name).stream().findFirst();
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        found.add(e);
      }
    }
    return found;
  }

  private static Optional<String> text(Element parent, String name) {
    return child(parent, name).map(e -> e.getTextContent().trim()).filter(s -> !s.isEmpty());
  }

  private static Map<String, String> readHashes(Path hashes) throws IOException {
    Map<String, String> map = new TreeMap<>();
    for (String line : Files.readAllLines(hashes)) {
      String[] parts = line.split("  ", 2);
      map.put(parts[1], parts[0]);
    }
    return map;
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  static String sha256(Path f) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
