// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docs/schema/cutover-v1.json, loaded once with a draft 2020-12 validator; and the docs' examples.
 */
final class SpecSchema {
  static final ObjectMapper YAML = new YAMLMapper();
  private static final JsonSchema SCHEMA = load();

  private SpecSchema() {}

  static Path root() {
    String configured = System.getProperty("cutover.project.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("docs/schema"))) {
        return p;
      }
    }
    throw new IllegalStateException("no docs/schema above " + start);
  }

  private static JsonSchema load() {
    try {
      JsonNode schema =
          new ObjectMapper().readTree(root().resolve("docs/schema/cutover-v1.json").toFile());
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schema's complaints about a document; empty when it is valid. */
  static Set<ValidationMessage> validate(JsonNode document) {
    return SCHEMA.validate(document);
  }

  static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An example spec: where it comes from and its text. */
  record Example(String source, String text) {
    @Override
    public String toString() {
      return source;
    }
  }

  private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\n(.*?)^```");

  /**
   * Every example spec: the test resources' specs, and each ```yaml block of the docs that starts
   * with (or, after comments, has) an {@code apiVersion: cutover.io/v1} line.
   */
  static List<Example> examples() {
    List<Example> out = new ArrayList<>();
    try {
      Path dir = Path.of(CutoverSpecTest.resource("canary.yaml").getParent().toString());
      try (var files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          out.add(
              new Example("spec/src/test/resources/specs/" + f.getFileName(), Files.readString(f)));
        }
      }
      Path docs = root().resolve("docs");
      Path examples = docs.resolve("examples");
      if (Files.isDirectory(examples)) {
        try (var files = Files.list(examples)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
            out.add(new Example("docs/examples/" + f.getFileName(), Files.readString(f)));
          }
        }
      }
      List<Path> pages = new ArrayList<>();
      pages.add(root().resolve("README.md"));
      try (var files = Files.list(docs)) {
        files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(pages::add);
      }
      for (Path page : pages) {
        String text = Files.readString(page);
        Matcher m = YAML_BLOCK.matcher(text);
        while (m.find()) {
          String block = m.group(1);
          if (block.lines().anyMatch(l -> l.equals("apiVersion: cutover.io/v1"))) {
            int line = (int) text.substring(0, m.start()).lines().count() + 1;
            out.add(new Example(root().relativize(page) + ":" + line, block));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
