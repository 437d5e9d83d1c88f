package io.messenger.sync.limit;

import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers the rate limits of {@link RateLimitProperties}: client writes per user, pulls and acks
 * per device, and documents their 429 answers in the OpenAPI document.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
class RateLimitConfiguration implements WebMvcConfigurer {

  static final String WRITES = "/v1/conversations/**";

  private final RateLimitProperties properties;

  RateLimitConfiguration(RateLimitProperties properties) {
    this.properties = properties;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    if (!properties.enabled()) {
      return;
    }
    registry
        .addInterceptor(
            new RateLimitInterceptor(
                new RateLimiter(
                    properties.writes(), properties.idleExpiry(), properties.maxBuckets()),
                false,
                "writes"))
        .addPathPatterns("/v1/conversations", WRITES);
    registry
        .addInterceptor(
            new RateLimitInterceptor(
                new RateLimiter(
                    properties.pulls(), properties.idleExpiry(), properties.maxBuckets()),
                true,
                "pulls"))
        .addPathPatterns("/v1/sync");
    registry
        .addInterceptor(
            new RateLimitInterceptor(
                new RateLimiter(
                    properties.acks(), properties.idleExpiry(), properties.maxBuckets()),
                true,
                "acks"))
        .addPathPatterns("/v1/sync/ack");
  }

  /**
   * Every limited operation (all of {@code /v1} here) may answer 429; the problem content and
   * {@code Retry-After} header come from messenger-support's customizer, which runs last.
   */
  @Bean
  OpenApiCustomizer rateLimitResponses() {
    return openApi -> {
      if (!properties.enabled() || openApi.getPaths() == null) {
        return;
      }
      openApi.getPaths().entrySet().stream()
          .filter(e -> e.getKey().startsWith("/v1/"))
          .flatMap(e -> e.getValue().readOperations().stream())
          .forEach(
              op ->
                  op.getResponses()
                      .computeIfAbsent(
                          "429",
                          c ->
                              new ApiResponse()
                                  .description(
                                      "Too many requests from this "
                                          + "user (writes) or device (pulls, acks); wait"
                                          + " `Retry-After` seconds")));
    };
  }
}
