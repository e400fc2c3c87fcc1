// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.Digest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds cosign-format signatures and DSSE/SLSA attestations with JDK crypto, as byte-exact OCI
 * manifests plus the blobs they reference, ready to put into any store or push to a registry.
 *
 * <p>The format constants are written here from the cosign and DSSE specifications (see {@code
 * TESTING.md}), not taken from the verifier under test, so a wrong constant there fails a test.
 */
public final class CosignFixtures {
  /** Media type of an image config. */
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";

  /** Media type of a cosign signature layer. */
  public static final String SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";

  /** Annotation holding the base64 signature of a layer. */
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

  /** The {@code critical.type} of a cosign signature payload. */
  public static final String PAYLOAD_TYPE = "cosign container image signature";

  /** Media type of a DSSE envelope layer. */
  public static final String DSSE = "application/vnd.dsse.envelope.v1+json";

  /** DSSE payload type of an in-toto statement. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";

  /** Predicate type of SLSA provenance v1. */
  public static final String SLSA_V1 = "https://slsa.dev/provenance/v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private CosignFixtures() {}

  /** An attachment: its manifest bytes and every blob the manifest references (config included). */
  public record Attachment(byte[] manifest, Map<Digest, byte[]> blobs) {
    public Digest digest() {
      return Digest.sha256(manifest);
    }
  }

  /**
   * One signature layer: the exact payload bytes and the base64 signature annotation (null: none).
   */
  public record SigLayer(byte[] payload, @Nullable String signatureBase64) {}

  /** A fresh ECDSA P-256 key pair. */
  public static KeyPair newKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The PEM PKIX text of a key pair's public key, as {@code openssl pkey -pubout} writes it. */
  public static String pem(KeyPair kp) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(kp.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** An ASN.1 DER SHA256withECDSA signature. */
  public static byte[] sign(PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A simplesigning payload for {@code digest}, with the given type. */
  public static byte[] payload(String dockerReference, Digest digest, String type) {
    return ("{\"critical\":{\"identity\":{\"docker-reference\":\""
            + dockerReference
            + "\"},\"image\":"
            + "{\"docker-manifest-digest\":\""
            + digest
            + "\"},\"type\":\""
            + type
            + "\"},\"optional\":null}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A correct cosign signature layer of {@code digest} by {@code key}. */
  public static SigLayer signed(String dockerReference, Digest digest, KeyPair key) {
    byte[] p = payload(dockerReference, digest, PAYLOAD_TYPE);
    return new SigLayer(p, Base64.getEncoder().encodeToString(sign(key.getPrivate(), p)));
  }

  /** The {@code .sig} manifest holding these layers. */
  public static Attachment signatures(SigLayer... layers) {
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    ArrayNode ls = JSON.createArrayNode();
    for (SigLayer l : layers) {
      Digest d = Digest.sha256(l.payload());
      blobs.put(d, l.payload());
      ObjectNode n =
          ls.addObject()
              .put("mediaType", SIMPLESIGNING)
              .put("digest", d.toString())
              .put("size", l.payload().length);
      if (l.signatureBase64() != null) {
        n.putObject("annotations").put(SIGNATURE_ANNOTATION, l.signatureBase64());
      }
    }
    return manifest(ls, blobs);
  }

  /** An in-toto Statement v1 with SLSA provenance v1 about {@code subject}. */
  public static byte[] statement(
      Digest subject, String builderId, String buildType, String sourceRepo, String ref) {
    ObjectNode st = JSON.createObjectNode().put("_type", "https://in-toto.io/Statement/v1");
    st.putArray("subject")
        .addObject()
        .put("name", "app")
        .putObject("digest")
        .put("sha256", subject.hex());
    st.put("predicateType", SLSA_V1);
    ObjectNode pred = st.putObject("predicate");
    ObjectNode def = pred.putObject("buildDefinition").put("buildType", buildType);
    def.putObject("externalParameters")
        .putObject("workflow")
        .put("repository", sourceRepo)
        .put("ref", ref)
        .put("path", ".github/workflows/release.yml");
    def.putArray("resolvedDependencies")
        .addObject()
        .put("uri", "git+" + sourceRepo + "@" + ref)
        .putObject("digest")
        .put("gitCommit", "0123456789abcdef0123456789abcdef01234567");
    ObjectNode run = pred.putObject("runDetails");
    run.putObject("builder").put("id", builderId);
    run.putObject("metadata").put("invocationId", "https://ci.example/runs/42");
    return bytes(st);
  }

  /** A DSSE envelope of an in-toto statement, signed over the pre-authentication encoding. */
  public static byte[] dsse(byte[] statement, KeyPair key) {
    byte[] sig = sign(key.getPrivate(), pae(IN_TOTO, statement));
    ObjectNode env =
        JSON.createObjectNode()
            .put("payloadType", IN_TOTO)
            .put("payload", Base64.getEncoder().encodeToString(statement));
    env.putArray("signatures")
        .addObject()
        .put("keyid", "")
        .put("sig", Base64.getEncoder().encodeToString(sig));
    return bytes(env);
  }

  /** The {@code .att} manifest holding these DSSE envelopes. */
  public static Attachment attestations(byte[]... envelopes) {
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    ArrayNode ls = JSON.createArrayNode();
    for (byte[] e : envelopes) {
      Digest d = Digest.sha256(e);
      blobs.put(d, e);
      ls.addObject()
          .put("mediaType", DSSE)
          .put("digest", d.toString())
          .put("size", e.length)
          .putObject("annotations")
          .put("predicateType", SLSA_V1);
    }
    return manifest(ls, blobs);
  }

  /** A plain image manifest with one layer and a config stating a creation time and labels. */
  public static Attachment image(byte[] layer, String created, Map<String, String> labels) {
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    ObjectNode config =
        JSON.createObjectNode()
            .put("created", created)
            .put("architecture", "amd64")
            .put("os", "linux");
    ObjectNode labelNode = config.putObject("config").putObject("Labels");
    labels.forEach(labelNode::put);
    config
        .putObject("rootfs")
        .put("type", "layers")
        .putArray("diff_ids")
        .add(Digest.sha256(layer).toString());
    byte[] configBytes = bytes(config);
    Digest layerDigest = Digest.sha256(layer);
    blobs.put(layerDigest, layer);
    ArrayNode ls = JSON.createArrayNode();
    ls.addObject()
        .put("mediaType", "application/vnd.oci.image.layer.v1.tar")
        .put("digest", layerDigest.toString())
        .put("size", layer.length);
    return manifest(ls, blobs, configBytes);
  }

  private static Attachment manifest(ArrayNode layers, Map<Digest, byte[]> blobs) {
    return manifest(layers, blobs, "{}".getBytes(StandardCharsets.UTF_8));
  }

  private static Attachment manifest(ArrayNode layers, Map<Digest, byte[]> blobs, byte[] config) {
    Map<Digest, byte[]> all = new LinkedHashMap<>();
    Digest configDigest = Digest.sha256(config);
    all.put(configDigest, config);
    all.putAll(blobs);
    ObjectNode m =
        JSON.createObjectNode()
            .put("schemaVersion", 2)
            .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    m.putObject("config")
        .put("mediaType", CONFIG_MEDIA_TYPE)
        .put("digest", configDigest.toString())
        .put("size", config.length);
    m.set("layers", layers);
    return new Attachment(bytes(m), all);
  }

  private static byte[] bytes(Object node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** DSSE's pre-authentication encoding: {@code "DSSEv1 <len(type)> <type> <len(body)> <body>"}. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] head =
        ("DSSEv1 "
                + payloadType.getBytes(StandardCharsets.UTF_8).length
                + " "
                + payloadType
                + " "
                + payload.length
                + " ")
            .getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + payload.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(payload, 0, all, head.length, payload.length);
    return all;
  }
}
