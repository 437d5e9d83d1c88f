package io.messenger.support.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;

class CachingJwtDecoderTest {

  private final AtomicInteger verifications = new AtomicInteger();
  private Instant now = Instant.parse("2026-11-27T10:00:00Z");

  private final JwtDecoder delegate =
      token -> {
        verifications.incrementAndGet();
        if (token.startsWith("bad")) {
          throw new BadJwtException("bad signature");
        }
        return Jwt.withTokenValue(token)
            .header("alg", "HS256")
            .subject("alice")
            .issuedAt(now.minusSeconds(1))
            .expiresAt(Instant.parse("2026-11-27T10:05:00Z"))
            .build();
      };

  private JwtDecoder decoder() {
    JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ZERO);
    timestamps.setClock(
        new Clock() {
          @Override
          public Instant instant() {
            return now;
          }

          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }
        });
    return new CachingJwtDecoder(delegate, timestamps, 100);
  }

  @Test
  void aRepeatedTokenIsVerifiedOnce() {
    JwtDecoder decoder = decoder();

    Jwt first = decoder.decode("good.token.1");
    Jwt second = decoder.decode("good.token.1");
    decoder.decode("good.token.2");

    assertThat(second).isSameAs(first);
    assertThat(verifications).hasValue(2);
  }

  @Test
  void aCachedTokenStillExpires() {
    JwtDecoder decoder = decoder();
    decoder.decode("good.token.1");

    now = Instant.parse("2026-11-27T10:06:00Z");

    assertThatThrownBy(() -> decoder.decode("good.token.1"))
        .isInstanceOf(JwtValidationException.class)
        .hasMessageContaining("expired");
    assertThat(verifications).hasValue(1);
  }

  @Test
  void refusedTokensAreNeverCached() {
    JwtDecoder decoder = decoder();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> decoder.decode("bad.token")).isInstanceOf(BadJwtException.class);
    }

    assertThat(verifications).hasValue(3);
  }
}
