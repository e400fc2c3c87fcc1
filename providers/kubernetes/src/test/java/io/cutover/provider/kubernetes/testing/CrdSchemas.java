// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * TEST CODE: the CRDs in {@code src/test/resources/crds} (see the README there) and a JSON-schema
 * validator per CRD built from the {@code v1} version's {@code openAPIV3Schema}. A real API server
 * prunes fields its structural schema does not name, so a misspelled field would vanish silently;
 * here every object node that lists {@code properties} (and does not preserve unknown fields) gets
 * {@code additionalProperties: false}, so a typo fails the test instead.
 */
public final class CrdSchemas {
  public static final List<String> FILES =
      List.of(
          "gateway.networking.k8s.io_httproutes.yaml",
          "networking.istio.io_virtualservices.yaml",
          "networking.istio.io_destinationrules.yaml");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CrdSchemas INSTANCE = new CrdSchemas();

  private final Map<String, CustomResourceDefinition> crds = new LinkedHashMap<>();
  private final Map<String, JsonSchema> schemas = new LinkedHashMap<>();

  private CrdSchemas() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    for (String file : FILES) {
      JsonNode crd = read(file);
      String group = crd.at("/spec/group").asText();
      String plural = crd.at("/spec/names/plural").asText();
      for (JsonNode version : crd.at("/spec/versions")) {
        if (version.path("name").asText().equals("v1")) {
          ObjectNode schema = version.at("/schema/openAPIV3Schema").deepCopy();
          // apiVersion, kind and metadata are always allowed by the API server (Istio's CRDs do
          // not list them); metadata is checked by the API server, not by the CRD.
          ObjectNode props = (ObjectNode) schema.path("properties");
          props.putIfAbsent("apiVersion", JSON.createObjectNode().put("type", "string"));
          props.putIfAbsent("kind", JSON.createObjectNode().put("type", "string"));
          props.putIfAbsent("metadata", JSON.createObjectNode().put("type", "object"));
          strict(schema);
          schemas.put(group + "/v1/" + plural, factory.getSchema(schema));
        }
      }
      crds.put(file, Serialization.unmarshal(crd.toString(), CustomResourceDefinition.class));
    }
  }

  public static CrdSchemas get() {
    return INSTANCE;
  }

  /** The CRDs, to load into a mock API server. */
  public List<CustomResourceDefinition> crds() {
    return List.copyOf(crds.values());
  }

  /**
   * The schema for a request path such as {@code
   * /apis/gateway.networking.k8s.io/v1/namespaces/x/httproutes/y}, or null if no CRD here covers
   * it.
   */
  public JsonSchema schemaFor(String path) {
    for (Map.Entry<String, JsonSchema> e : schemas.entrySet()) {
      String[] gvp = e.getKey().split("/");
      if (path.startsWith("/apis/" + gvp[0] + "/" + gvp[1] + "/")
          && path.matches(".*/" + gvp[2] + "(/[^/?]+)?(\\?.*)?")) {
        return e.getValue();
      }
    }
    return null;
  }

  /** Whether a path names a custom resource whose group has a CRD here (in any version). */
  public boolean coversGroup(String path) {
    return path.startsWith("/apis/gateway.networking.k8s.io/")
        || path.startsWith("/apis/networking.istio.io/");
  }

  /** The violations of {@code json} against the schema for {@code path}; empty if valid. */
  public List<String> violations(String path, String json) {
    JsonSchema schema = Objects.requireNonNull(schemaFor(path), "no v1 CRD schema for " + path);
    try {
      return schema.validate(JSON.readTree(json)).stream()
          .map(ValidationMessage::getMessage)
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }

  /** Adds additionalProperties:false wherever the structural schema would prune unknown fields. */
  private static JsonNode strict(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("properties")
          && !o.has("additionalProperties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        o.put("additionalProperties", false);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("properties")) {
          e.getValue().forEach(CrdSchemas::strict);
        } else {
          strict(e.getValue());
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(CrdSchemas::strict);
    }
    return node;
  }

  private static JsonNode read(String file) {
    try (InputStream in = CrdSchemas.class.getResourceAsStream("/crds/" + file)) {
      return YAML.readTree(Objects.requireNonNull(in, "missing test resource /crds/" + file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
