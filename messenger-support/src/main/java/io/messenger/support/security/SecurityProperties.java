package io.messenger.support.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The HMAC keys of both kinds of token, bound from {@code messenger.jwt.secret} (client tokens, env
 * {@code MESSENGER_JWT_SECRET}) and {@code messenger.internal.secret} (service-to-service tokens,
 * env {@code MESSENGER_INTERNAL_SECRET}). Each key is the UTF-8 bytes of the value as given and
 * must be at least 32 bytes: a start without one fails at once with a message naming the variable.
 * {@link #toString()} never prints the secrets.
 */
@ConfigurationProperties("messenger")
public record SecurityProperties(Jwt jwt, Internal internal) {

  /** Minimum HMAC key length for HS256, in bytes. */
  public static final int MIN_SECRET_BYTES = 32;

  public SecurityProperties {
    jwt = jwt == null ? new Jwt(null, null, null) : jwt;
    internal = internal == null ? new Internal(null, null) : internal;
    requireSecret("messenger.jwt.secret (MESSENGER_JWT_SECRET)", jwt.secret());
    requireSecret("messenger.internal.secret (MESSENGER_INTERNAL_SECRET)", internal.secret());
    if (jwt.secret().equals(internal.secret())) {
      throw new IllegalArgumentException(
          "messenger.internal.secret must differ from messenger.jwt.secret, so that a client token"
              + " can never pass as a service token");
    }
  }

  private static void requireSecret(String name, String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException(
          name
              + " is not set. Set it to a random value of at least "
              + MIN_SECRET_BYTES
              + " bytes, or start with the 'local' profile for a development secret.");
    }
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          name + " must be at least " + MIN_SECRET_BYTES + " bytes (UTF-8) long for HS256");
    }
  }

  /**
   * Client token settings.
   *
   * @param secret the HMAC key (UTF-8 bytes as given, not base64)
   * @param clockSkew tolerance on {@code exp}/{@code nbf}, default 30 s
   * @param verifiedCacheSize how many verified client tokens are remembered (their signature is not
   *     checked again; their time claims are), default 10,000; 0 turns the cache off
   */
  public record Jwt(String secret, Duration clockSkew, Integer verifiedCacheSize) {
    public Jwt {
      clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
      verifiedCacheSize = verifiedCacheSize == null ? 10_000 : verifiedCacheSize;
      if (verifiedCacheSize < 0) {
        throw new IllegalArgumentException("messenger.jwt.verified-cache-size must be >= 0");
      }
    }

    @Override
    public String toString() {
      return "Jwt[secret=***, clockSkew="
          + clockSkew
          + ", verifiedCacheSize="
          + verifiedCacheSize
          + "]";
    }
  }

  /**
   * Service-to-service token settings.
   *
   * @param secret the HMAC key of service tokens
   * @param tokenTtl lifetime of the tokens this service mints for its own calls, default 5 min
   */
  public record Internal(String secret, Duration tokenTtl) {
    public Internal {
      tokenTtl = tokenTtl == null ? Duration.ofMinutes(5) : tokenTtl;
    }

    @Override
    public String toString() {
      return "Internal[secret=***, tokenTtl=" + tokenTtl + "]";
    }
  }
}
