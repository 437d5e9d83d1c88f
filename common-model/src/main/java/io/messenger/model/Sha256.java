package io.messenger.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of text parts, as both services use it for fingerprints and derived keys: the parts are
 * UTF-8 encoded and separated by a NUL byte, so ("ab", "c") and ("a", "bc") differ.
 */
public final class Sha256 {

  private Sha256() {}

  /** The digest of the parts. */
  public static byte[] of(String... parts) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        digest.update((byte) 0);
      }
      digest.update(parts[i].getBytes(StandardCharsets.UTF_8));
    }
    return digest.digest();
  }

  /** The digest of the parts in lower-case hex (64 characters). */
  public static String hex(String... parts) {
    return HexFormat.of().formatHex(of(parts));
  }
}
