package io.messenger.support.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * A {@link JwtDecoder} that remembers the tokens it has verified, so that a device polling with the
 * same token does not pay for parsing and the HMAC again on every request.
 *
 * <p>A token is cached only after the delegate accepted it (signature, algorithm and every claim
 * validator), keyed by its exact text, so a hit is the same bytes that were verified. On a hit the
 * validators run again, which is what makes an expired token fail as before; only the signature
 * check and the parsing are skipped. Refused tokens are never cached, so garbage tokens cannot fill
 * the cache. The cache is bounded ({@code maximumSize}) and entries are dropped {@link #RETENTION}
 * after they were verified.
 */
final class CachingJwtDecoder implements JwtDecoder {

  /** How long a verified token is remembered (its time claims are still checked on every use). */
  static final Duration RETENTION = Duration.ofMinutes(10);

  private final JwtDecoder delegate;
  private final OAuth2TokenValidator<Jwt> validator;
  private final Cache<String, Jwt> verified;

  CachingJwtDecoder(JwtDecoder delegate, OAuth2TokenValidator<Jwt> validator, int maximumSize) {
    this.delegate = delegate;
    this.validator = validator;
    this.verified =
        Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(RETENTION).build();
  }

  @Override
  public Jwt decode(String token) throws JwtException {
    Jwt known = verified.getIfPresent(token);
    if (known == null) {
      Jwt jwt = delegate.decode(token);
      verified.put(token, jwt);
      return jwt;
    }
    OAuth2TokenValidatorResult result = validator.validate(known);
    if (result.hasErrors()) {
      verified.invalidate(token);
      throw new JwtValidationException(
          result.getErrors().iterator().next().getDescription(), result.getErrors());
    }
    return known;
  }
}
