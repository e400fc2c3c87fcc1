// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import static io.cutover.core.policy.VerificationReason.PROVENANCE_BUILDER;
import static io.cutover.core.policy.VerificationReason.PROVENANCE_BUILD_TYPE;
import static io.cutover.core.policy.VerificationReason.PROVENANCE_MALFORMED;
import static io.cutover.core.policy.VerificationReason.PROVENANCE_MISSING;
import static io.cutover.core.policy.VerificationReason.PROVENANCE_SOURCE;
import static io.cutover.core.policy.VerificationReason.PROVENANCE_SUBJECT;
import static io.cutover.core.policy.VerificationReason.PROVENANCE_UNTRUSTED;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.ArtifactRef;
import io.cutover.core.policy.ProvenanceRequirement;
import io.cutover.core.policy.TrustedKey;
import io.cutover.spi.ArtifactStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies SLSA provenance v1 attestations: DSSE envelopes in the {@code sha256-<hex>.att}
 * manifest, signed (over DSSE's pre-authentication encoding) by a trusted key, holding an in-toto
 * Statement whose subject is the artifact digest and whose predicate names a trusted builder, an
 * expected build type and an allowed source. One attestation that passes every check is enough.
 */
public final class SlsaProvenance {
  public static final String DSSE = "application/vnd.dsse.envelope.v1+json";
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  public static final String SLSA_V1 = "https://slsa.dev/provenance/v1";
  static final Set<String> STATEMENT_TYPES =
      Set.of("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1");

  private SlsaProvenance() {}

  /** A source repository and, if known, ref, as stated by the provenance. */
  record Source(String repository, @Nullable String ref) {
    @Override
    public String toString() {
      return ref == null ? repository : repository + "@" + ref;
    }
  }

  public static Outcome check(ArtifactRef ref, ArtifactStore store, ProvenanceRequirement req) {
    Outcome out = new Outcome();
    Attachments.Manifest att =
        Attachments.findOrFail(
            store,
            ref,
            "att",
            out,
            PROVENANCE_MALFORMED,
            PROVENANCE_MISSING,
            "attach signed SLSA provenance from a builder in " + req.builderIds());
    if (att == null) {
      return out;
    }
    Set<String> problems = new LinkedHashSet<>();
    int envelopes = 0;
    for (Attachments.Layer layer : att.layers()) {
      if (!layer.mediaType().equals(DSSE)) {
        continue;
      }
      envelopes++;
      String where = att.tag() + " layer " + layer.index();
      List<String> layerProblems = new ArrayList<>();
      byte[] envelope;
      try {
        envelope = Attachments.layer(store, att, layer);
      } catch (Attachments.BadLayerException e) {
        problems.add(PROVENANCE_MALFORMED.line(where + ": " + e.getMessage()));
        continue;
      }
      String evidence = checkEnvelope(envelope, ref, req, where, layerProblems);
      if (evidence != null) {
        out.evidence.add(evidence);
        return out;
      }
      problems.addAll(layerProblems);
    }
    if (envelopes == 0) {
      problems.add(PROVENANCE_MISSING.line(att.tag() + " has no " + DSSE + " layer"));
    }
    out.failures.addAll(problems);
    return out;
  }

  private static @Nullable String checkEnvelope(
      byte[] envelopeBytes,
      ArtifactRef ref,
      ProvenanceRequirement req,
      String where,
      List<String> problems) {
    JsonNode env;
    byte[] payload;
    String payloadType;
    try {
      env = Attachments.JSON.readTree(envelopeBytes);
      payloadType = env.path("payloadType").asText("");
      payload = decode(env.path("payload").asText(""));
    } catch (IOException | IllegalArgumentException e) {
      problems.add(
          PROVENANCE_MALFORMED.line(where + " is not a DSSE envelope (JSON with base64 payload)"));
      return null;
    }
    TrustedKey signer = null;
    byte[] pae = pae(payloadType, payload);
    for (JsonNode s : env.path("signatures")) {
      byte[] sig;
      try {
        sig = decode(s.path("sig").asText(""));
      } catch (IllegalArgumentException e) {
        continue;
      }
      for (TrustedKey key : req.keys()) {
        try {
          if (key.verify(pae, sig)) {
            signer = key;
            break;
          }
        } catch (SignatureException e) {
          // Malformed for this key type: not a signature by it.
        }
      }
      if (signer != null) {
        break;
      }
    }
    if (signer == null) {
      problems.add(
          PROVENANCE_UNTRUSTED.line(
              where + ": the DSSE signature verifies with none of the trusted keys " + req.keys()));
      return null;
    }
    if (!payloadType.equals(IN_TOTO)) {
      problems.add(
          PROVENANCE_MALFORMED.line(
              where + ": payloadType is '" + payloadType + "', not " + IN_TOTO));
      return null;
    }
    JsonNode st;
    try {
      st = Attachments.JSON.readTree(payload);
    } catch (IOException e) {
      problems.add(PROVENANCE_MALFORMED.line(where + ": the signed statement is not JSON"));
      return null;
    }
    if (!STATEMENT_TYPES.contains(st.path("_type").asText(""))) {
      problems.add(
          PROVENANCE_MALFORMED.line(
              where + ": _type '" + st.path("_type").asText("") + "' is not an in-toto Statement"));
      return null;
    }
    if (!st.path("predicateType").asText("").equals(SLSA_V1)) {
      problems.add(
          PROVENANCE_MISSING.line(
              where
                  + ": predicateType is '"
                  + st.path("predicateType").asText("")
                  + "', not "
                  + SLSA_V1));
      return null;
    }
    boolean subjectMatches = false;
    for (JsonNode subject : st.path("subject")) {
      JsonNode hex = subject.path("digest").path(ref.digest().algorithm().prefix());
      if (hex.isTextual() && hex.asText().equals(ref.digest().hex())) {
        subjectMatches = true;
      }
    }
    if (!subjectMatches) {
      problems.add(
          PROVENANCE_SUBJECT.line(
              where
                  + ": no subject has digest "
                  + ref.digest()
                  + " (provenance of another artifact)"));
    }
    JsonNode predicate = st.path("predicate");
    String builder = predicate.path("runDetails").path("builder").path("id").asText("");
    if (!matchesAny(builder, req.builderIds(), "provenance.builderIds")) {
      problems.add(
          PROVENANCE_BUILDER.line(
              where
                  + ": builder '"
                  + builder
                  + "' is not trusted (trusted: "
                  + req.builderIds()
                  + ")"));
    }
    String buildType = predicate.path("buildDefinition").path("buildType").asText("");
    if (!req.buildTypes().isEmpty()
        && !matchesAny(buildType, req.buildTypes(), "provenance.buildTypes")) {
      problems.add(
          PROVENANCE_BUILD_TYPE.line(
              where + ": buildType '" + buildType + "' is not one of " + req.buildTypes()));
    }
    List<Source> sources = sources(predicate.path("buildDefinition"));
    Source source = null;
    if (!req.sourceRepositories().isEmpty() || !req.sourceRefs().isEmpty()) {
      for (Source s : sources) {
        boolean repoOk =
            req.sourceRepositories().isEmpty()
                || matchesAny(
                    s.repository(), req.sourceRepositories(), "provenance.sourceRepositories")
                || matchesAny(
                    s.repository().replaceFirst("^git\\+", ""),
                    req.sourceRepositories(),
                    "provenance.sourceRepositories");
        boolean refOk =
            req.sourceRefs().isEmpty()
                || (s.ref() != null
                    && matchesAny(s.ref(), req.sourceRefs(), "provenance.sourceRefs"));
        if (repoOk && refOk) {
          source = s;
          break;
        }
      }
      if (source == null) {
        problems.add(
            PROVENANCE_SOURCE.line(
                where
                    + ": source "
                    + (sources.isEmpty() ? "(none stated)" : sources)
                    + " does not match repositories "
                    + req.sourceRepositories()
                    + " and refs "
                    + req.sourceRefs()));
      }
    } else if (!sources.isEmpty()) {
      source = sources.get(0);
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return "provenance: "
        + ref
        + " has SLSA v1 provenance signed by "
        + signer
        + " in "
        + where
        + "; builder '"
        + builder
        + "' trusted"
        + (buildType.isEmpty() ? "" : ", buildType '" + buildType + "'")
        + (source == null ? "" : ", source " + source);
  }

  /**
   * Candidate sources from {@code externalParameters} (GitHub workflow, generic) and {@code
   * resolvedDependencies}.
   */
  static List<Source> sources(JsonNode buildDefinition) {
    List<Source> out = new ArrayList<>();
    JsonNode ext = buildDefinition.path("externalParameters");
    JsonNode workflow = ext.path("workflow");
    if (workflow.path("repository").isTextual()) {
      out.add(new Source(workflow.path("repository").asText(), text(workflow.path("ref"))));
    }
    JsonNode source = ext.path("source");
    if (source.isTextual()) {
      out.add(split(source.asText(), text(ext.path("ref"))));
    } else if (source.path("uri").isTextual()) {
      out.add(split(source.path("uri").asText(), text(source.path("ref"))));
    }
    if (ext.path("repository").isTextual()) {
      out.add(new Source(ext.path("repository").asText(), text(ext.path("ref"))));
    }
    for (JsonNode dep : buildDefinition.path("resolvedDependencies")) {
      if (dep.path("uri").isTextual()) {
        out.add(split(dep.path("uri").asText(), null));
      }
    }
    return out;
  }

  private static Source split(String uri, @Nullable String ref) {
    int at = uri.lastIndexOf('@');
    if (at > 0 && uri.substring(at + 1).startsWith("refs/")) {
      return new Source(uri.substring(0, at), ref != null ? ref : uri.substring(at + 1));
    }
    return new Source(uri, ref);
  }

  private static @Nullable String text(JsonNode n) {
    return n.isTextual() ? n.asText() : null;
  }

  private static boolean matchesAny(String value, List<String> globs, String path) {
    for (String g : globs) {
      if (Glob.of(g, path).matches(value)) {
        return true;
      }
    }
    return false;
  }

  /** DSSE's pre-authentication encoding: {@code DSSEv1 <len(type)> <type> <len(body)> <body>}. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
            .getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + payload.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(payload, 0, all, head.length, payload.length);
    return all;
  }

  private static byte[] decode(String b64) {
    // DSSE allows standard or URL-safe base64.
    String s = b64.trim();
    return s.indexOf('-') >= 0 || s.indexOf('_') >= 0
        ? Base64.getUrlDecoder().decode(s)
        : Base64.getDecoder().decode(s);
  }
}
