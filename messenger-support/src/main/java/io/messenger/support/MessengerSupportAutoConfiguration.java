package io.messenger.support;

import io.messenger.support.problem.ProblemAdvice;
import io.messenger.support.problem.ProblemErrorController;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
import io.messenger.support.security.SecurityConfiguration;
import io.messenger.support.security.SecurityProperties;
import io.messenger.support.security.WebSecuritySupport;
import io.messenger.support.web.BodySizeLimitFilter;
import io.messenger.support.web.HttpProperties;
import io.messenger.support.web.ProblemErrorReportValve;
import io.messenger.support.web.RequestIdFilter;
import io.messenger.support.web.StrictJson;
import java.time.Clock;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * What both services share: client and service token authentication, problem details for every
 * error, request ids, the request body limit, a UTC {@link Clock}, and the local token endpoint.
 */
@AutoConfiguration(
    beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@EnableConfigurationProperties({SecurityProperties.class, HttpProperties.class})
@Import({
  SecurityConfiguration.class,
  WebSecuritySupport.class,
  ProblemAdvice.class,
  ProblemErrorController.class
})
public class MessengerSupportAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Request bodies are read as typed: no number-to-string or string-to-number coercions. */
  @Bean
  StrictJson strictJson() {
    return new StrictJson();
  }

  /** A request the security firewall rejects (e.g. an encoded '%' or '/' in the path). */
  @Bean
  RequestRejectedHandler requestRejectedHandler(ProblemWriter problems) {
    return (request, response, e) ->
        problems.write(
            response,
            HttpStatus.BAD_REQUEST,
            ProblemType.VALIDATION,
            "the request was rejected: its URL, a header or a parameter is not allowed");
  }

  /**
   * Requests Tomcat refuses before any servlet runs get a problem detail too: an encoded '/' is
   * passed on (the security firewall then refuses it with a problem detail) and the host's error
   * report is {@link ProblemErrorReportValve} instead of an HTML page.
   */
  @Bean
  TomcatConnectorCustomizer encodedSolidusPassthrough() {
    return connector -> connector.setEncodedSolidusHandling("passthrough");
  }

  @Bean
  TomcatContextCustomizer problemErrorReports() {
    return context -> {
      if (context.getParent() instanceof StandardHost host) {
        host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
      }
    };
  }

  @Bean
  ProblemWriter problemWriter(JsonMapper json) {
    return new ProblemWriter(json);
  }

  @Bean
  FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
    FilterRegistrationBean<RequestIdFilter> registration =
        new FilterRegistrationBean<>(new RequestIdFilter());
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  @Bean
  FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(
      HttpProperties properties, ProblemWriter problems) {
    FilterRegistrationBean<BodySizeLimitFilter> registration =
        new FilterRegistrationBean<>(new BodySizeLimitFilter(properties.maxBodyBytes(), problems));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    return registration;
  }
}
