package io.messenger.system;

import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.support.security.SecurityProperties;
import io.messenger.support.security.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Valid and forged tokens: what an attacker (or a broken client) may send. */
final class Forge {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Forge() {}

  static Tokens tokens(Clock clock) {
    return new Tokens(
        new SecurityProperties(
            new SecurityProperties.Jwt(SystemUnderTest.CLIENT_SECRET, null, null),
            new SecurityProperties.Internal(SystemUnderTest.INTERNAL_SECRET, null)),
        clock);
  }

  static String client(String user, String device) {
    return tokens(Clock.systemUTC())
        .client(UserId.of(user), DeviceId.of(device), Duration.ofHours(1));
  }

  static String service() {
    return tokens(Clock.systemUTC()).service("system-test");
  }

  /** A correctly signed client token that expired {@code ago} ago. */
  static String expired(String user, String device, Duration ago) {
    Clock past = Clock.fixed(Instant.now().minus(ago).minus(Duration.ofHours(1)), ZoneOffset.UTC);
    return tokens(past).client(UserId.of(user), DeviceId.of(device), Duration.ofHours(1));
  }

  /** A token with this header and claims, signed with HMAC {@code javaAlg} and {@code secret}. */
  static String signed(
      Map<String, Object> header, Map<String, Object> claims, String javaAlg, String secret) {
    String unsigned = part(header) + "." + part(claims);
    if (javaAlg == null) {
      return unsigned + ".";
    }
    try {
      Mac mac = Mac.getInstance(javaAlg);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), javaAlg));
      return unsigned
          + "."
          + B64.encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> claims(String user, String device) {
    long now = Instant.now().getEpochSecond();
    return Map.of("sub", user, "did", device, "iat", now, "exp", now + 3600);
  }

  /** The forged tokens for {@code user}: each must be refused with 401. */
  static List<String> bad(String user, String device) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = claims(user, device);
    String valid = client(user, device);
    String[] parts = valid.split("\\.");
    String otherPayload =
        part(Map.of("sub", user + "x", "did", device, "iat", now, "exp", now + 3600));
    return List.of(
        expired(user, device, Duration.ofMinutes(5)),
        expired(user, device, Duration.ofDays(400)),
        signed(Map.of("alg", "none", "typ", "JWT"), claims, null, null),
        signed(Map.of("alg", "None"), claims, null, null),
        signed(
            Map.of("alg", "HS512", "typ", "JWT"),
            claims,
            "HmacSHA512",
            SystemUnderTest.CLIENT_SECRET),
        signed(Map.of("alg", "HS384"), claims, "HmacSHA384", SystemUnderTest.CLIENT_SECRET),
        // RS256-looking: the HMAC of the secret under an RSA header (key confusion)
        signed(
            Map.of("alg", "RS256", "typ", "JWT"),
            claims,
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        parts[0] + "." + parts[1] + "." + B64.encodeToString(new byte[256]),
        signed(
            Map.of("alg", "HS256"),
            claims,
            "HmacSHA256",
            "wrong-secret-wrong-secret-wrong-secret-0123"),
        signed(Map.of("alg", "HS256"), claims, "HmacSHA256", SystemUnderTest.INTERNAL_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", user, "did", device),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", user, "exp", now + 3600),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("did", device, "exp", now + 3600),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", "bad/user", "did", device, "exp", now + 3600),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", "x".repeat(65), "did", device, "exp", now + 3600),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", user, "did", "", "exp", now + 3600),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", user, "did", device, "exp", "tomorrow"),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        signed(
            Map.of("alg", "HS256"),
            Map.of("sub", user, "did", device, "exp", now + 3600, "nbf", now + 86_400),
            "HmacSHA256",
            SystemUnderTest.CLIENT_SECRET),
        parts[0] + "." + otherPayload + "." + parts[2], // another user's id under alice's signature
        parts[0] + "." + parts[1], // no signature part
        valid.substring(0, valid.length() - 3),
        "",
        "not-a-jwt",
        "a.b.c",
        "....",
        service()); // a service token on a client endpoint
  }

  /** Whether {@code token} is a (possibly valid) service token: audience messenger-internal. */
  static boolean isService(String token) {
    String[] parts = token.split("\\.");
    if (parts.length < 2) {
      return false;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
          .contains(Tokens.INTERNAL_AUDIENCE);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String part(Map<String, Object> json) {
    return B64.encodeToString(
        Client.JSON.writeValueAsString(json).getBytes(StandardCharsets.UTF_8));
  }
}
