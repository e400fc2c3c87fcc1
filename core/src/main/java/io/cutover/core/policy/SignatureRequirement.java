// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.InvalidSpecException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which keys must have signed an artifact (cosign keyed signatures): at least {@code threshold}
 * distinct keys of {@code keys}. {@link #anyOf} is the common case (threshold 1).
 *
 * <p>Keys are distinct by what they are, not by what they are called: two entries holding the same
 * public key (the same SHA-256 fingerprint of the SubjectPublicKeyInfo) are refused, so one
 * signature can never count twice toward the threshold.
 *
 * @param keys the trusted keys, with distinct names and distinct public keys
 * @param threshold how many distinct keys must have signed, 1..keys.size()
 */
public record SignatureRequirement(List<TrustedKey> keys, int threshold) {
  /** Validates. */
  public SignatureRequirement {
    keys = List.copyOf(keys);
    requireKeys(keys, "signatures.keys");
    if (threshold < 1 || threshold > keys.size()) {
      throw new InvalidSpecException(
          "signatures.threshold",
          "is " + threshold + " with " + keys.size() + " key(s)",
          "use 1.." + keys.size() + " (how many distinct keys must have signed)");
    }
  }

  /** Any one of the keys suffices. */
  public static SignatureRequirement anyOf(TrustedKey... keys) {
    return new SignatureRequirement(List.of(keys), 1);
  }

  /** At least {@code k} distinct keys of {@code keys}. */
  public static SignatureRequirement threshold(int k, TrustedKey... keys) {
    return new SignatureRequirement(List.of(keys), k);
  }

  static void requireKeys(List<TrustedKey> keys, String path) {
    if (keys.isEmpty()) {
      throw new InvalidSpecException(path, "is empty", "list at least one trusted public key");
    }
    Set<String> names = new HashSet<>();
    Map<String, String> byFingerprint = new HashMap<>();
    for (TrustedKey k : keys) {
      if (!names.add(k.name())) {
        throw new InvalidSpecException(
            path, "names the key '" + k.name() + "' twice", "give every key its own name");
      }
      String other = byFingerprint.putIfAbsent(k.fingerprint(), k.name());
      if (other != null) {
        // A threshold counts distinct keys: the same key under two names would let one signature
        // count twice.
        throw new InvalidSpecException(
            path,
            "holds the same public key twice, as '"
                + other
                + "' and '"
                + k.name()
                + "' (fingerprint "
                + k.fingerprint()
                + ")",
            "list every trusted key once; a threshold of k needs k different keys");
      }
    }
  }
}
