package io.messenger.support.security;

import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** MVC wiring of the security side: the {@link Caller} parameter and the local token endpoint. */
@Configuration(proxyBeanMethods = false)
public class WebSecuritySupport implements WebMvcConfigurer {

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new CallerArgumentResolver());
  }

  @Bean
  @ConditionalOnProperty(name = "messenger.dev.token-endpoint.enabled", havingValue = "true")
  DevTokenController devTokenController(Tokens tokens) {
    return new DevTokenController(tokens);
  }
}
