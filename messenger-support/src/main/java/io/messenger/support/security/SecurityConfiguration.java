package io.messenger.support.security;

import io.messenger.model.Limits;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Three filter chains: {@code /internal/**} accepts only service tokens (signed with the internal
 * secret, audience {@link Tokens#INTERNAL_AUDIENCE}); {@code /v1/**} accepts only client tokens
 * (HS256 with the client secret, {@code sub} and {@code did} matching the id pattern, {@code exp}
 * required); everything else (actuator, OpenAPI, the local token endpoint) is open. Every refusal
 * is a problem detail.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

  /** Verified service tokens remembered: a few per calling instance (each renews its own). */
  static final int VERIFIED_SERVICE_TOKENS = 1_000;

  @Bean
  Tokens tokens(SecurityProperties properties, Clock clock) {
    return new Tokens(properties, clock);
  }

  /**
   * No Spring Security observations: they wrap every security filter of every request in an
   * observation (a timer and a long-task timer per filter, with tags built per call), which was
   * about a tenth of the sync-service's CPU per pull in the JFR profiles (docs/benchmarks). The
   * request itself stays observed ({@code http.server.requests}), and authentication failures show
   * there as 401s.
   */
  @Bean
  SecurityObservationSettings securityObservationSettings() {
    return SecurityObservationSettings.noObservations();
  }

  @Bean
  @Order(1)
  SecurityFilterChain internalChain(
      HttpSecurity http, SecurityProperties properties, ProblemWriter problems) throws Exception {
    OAuth2TokenValidator<Jwt> validator =
        new DelegatingOAuth2TokenValidator<>(
            new JwtTimestampValidator(properties.jwt().clockSkew()),
            requireExpiry(),
            new JwtClaimValidator<List<String>>(
                "aud", aud -> aud != null && aud.contains(Tokens.INTERNAL_AUDIENCE)));
    // A service reuses its token until it renews it: every internal call but the first skips the
    // parsing and the HMAC (a few per cent of the history-service's CPU per write).
    JwtDecoder decoder =
        new CachingJwtDecoder(
            decoder(properties.internal().secret(), validator), validator, VERIFIED_SERVICE_TOKENS);
    return bearerChain(
        http, "/internal/**", decoder, problems, "a valid service token is required");
  }

  @Bean
  @Order(2)
  SecurityFilterChain clientChain(
      HttpSecurity http, SecurityProperties properties, ProblemWriter problems) throws Exception {
    OAuth2TokenValidator<Jwt> validator =
        new DelegatingOAuth2TokenValidator<>(
            new JwtTimestampValidator(properties.jwt().clockSkew()),
            requireExpiry(),
            new JwtClaimValidator<String>("sub", Limits::isValidId),
            new JwtClaimValidator<String>("did", Limits::isValidId));
    JwtDecoder decoder = decoder(properties.jwt().secret(), validator);
    int cacheSize = properties.jwt().verifiedCacheSize();
    if (cacheSize > 0) {
      // Clients poll with the same token many times: skip the parsing and HMAC on repeats.
      decoder = new CachingJwtDecoder(decoder, validator, cacheSize);
    }

    return bearerChain(
        http,
        "/v1/**",
        decoder,
        problems,
        "a valid bearer token with claims sub, did and exp is required");
  }

  /** Paths under {@code pattern} need a bearer token that {@code decoder} accepts. */
  private static SecurityFilterChain bearerChain(
      HttpSecurity http, String pattern, JwtDecoder decoder, ProblemWriter problems, String refusal)
      throws Exception {
    return common(http.securityMatcher(pattern), problems)
        .authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .oauth2ResourceServer(
            o ->
                o.jwt(j -> j.decoder(decoder))
                    .authenticationEntryPoint(
                        (req, res, e) ->
                            problems.write(
                                res, HttpStatus.UNAUTHORIZED, ProblemType.UNAUTHORIZED, refusal)))
        .build();
  }

  @Bean
  @Order(3)
  SecurityFilterChain openChain(HttpSecurity http, ProblemWriter problems) throws Exception {
    return common(http, problems).authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
  }

  private static HttpSecurity common(HttpSecurity http, ProblemWriter problems) throws Exception {
    return http.csrf(c -> c.disable())
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (req, res, ex) ->
                            problems.write(
                                res,
                                HttpStatus.UNAUTHORIZED,
                                ProblemType.UNAUTHORIZED,
                                "authentication is required"))
                    .accessDeniedHandler(
                        (req, res, ex) ->
                            problems.write(
                                res,
                                HttpStatus.FORBIDDEN,
                                ProblemType.FORBIDDEN,
                                "access denied")));
  }

  @SafeVarargs
  private static JwtDecoder decoder(String secret, OAuth2TokenValidator<Jwt>... validators) {
    NimbusJwtDecoder decoder =
        NimbusJwtDecoder.withSecretKey(Tokens.key(secret)).macAlgorithm(MacAlgorithm.HS256).build();
    decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
    return decoder;
  }

  private static OAuth2TokenValidator<Jwt> requireExpiry() {
    return jwt ->
        jwt.getExpiresAt() != null
            ? OAuth2TokenValidatorResult.success()
            : OAuth2TokenValidatorResult.failure(
                new OAuth2Error("invalid_token", "the token has no exp claim", null));
  }
}
