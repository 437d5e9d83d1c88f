package io.messenger.support.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 tokens: client tokens (claims {@code sub}, {@code did}, {@code exp}) and service
 * tokens (audience {@link #INTERNAL_AUDIENCE}, signed with the internal secret). The services use
 * it for their own service calls, the {@code local} profile's token endpoint and tests.
 */
public final class Tokens {

  /** The audience every service token carries. */
  public static final String INTERNAL_AUDIENCE = "messenger-internal";

  private final SecurityProperties properties;
  private final Clock clock;

  public Tokens(SecurityProperties properties, Clock clock) {
    this.properties = properties;
    this.clock = clock;
  }

  /** A client token for one device of a user. */
  public String client(UserId user, DeviceId device, Duration ttl) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(user.value())
            .claim("did", device.value())
            .issueTime(Date.from(clock.instant()))
            .expirationTime(Date.from(clock.instant().plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    return sign(claims, properties.jwt().secret());
  }

  /** A service token naming the calling service in {@code sub}. */
  public String service(String serviceName) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(serviceName)
            .audience(INTERNAL_AUDIENCE)
            .issueTime(Date.from(clock.instant()))
            .expirationTime(Date.from(clock.instant().plus(properties.internal().tokenTtl())))
            .build();
    return sign(claims, properties.internal().secret());
  }

  static SecretKey key(String secret) {
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  private static String sign(JWTClaimsSet claims, String secret) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(key(secret)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }
}
