package io.messenger.support.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The OpenAPI document at {@code /v3/api-docs} of each service: titled after the service, with the
 * {@code bearer} (JWT) security scheme required by every operation.
 */
@AutoConfiguration
@ConditionalOnClass(OpenAPI.class)
public class OpenApiSupport {

  @Bean
  @ConditionalOnMissingBean
  OpenAPI messengerOpenApi(
      @Value("${spring.application.name:messenger}") String service,
      @Value("${messenger.api.description:}") String description) {
    return new OpenAPI()
        .info(new Info().title("messenger " + service).version("v1").description(description))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("JWT")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }
}
