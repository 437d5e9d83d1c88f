package io.messenger.support.web;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP limits shared by both services.
 *
 * @param maxBodyBytes the largest request body accepted, default 65,536 bytes (413 above)
 */
@Validated
@ConfigurationProperties("messenger.http")
public record HttpProperties(@Positive Long maxBodyBytes) {
  public HttpProperties {
    maxBodyBytes = maxBodyBytes == null ? 65_536L : maxBodyBytes;
  }
}
