package io.messenger.support.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecurityPropertiesTest {

  static final String CLIENT = "a-client-secret-of-at-least-32-bytes!!";
  static final String SERVICE = "a-service-secret-of-at-least-32-bytes!";

  static SecurityProperties of(String client, String service) {
    return new SecurityProperties(
        new SecurityProperties.Jwt(client, null, null),
        new SecurityProperties.Internal(service, null));
  }

  @Test
  void aStartWithoutSecretsFailsNamingTheVariable() {
    assertThatThrownBy(() -> of(null, SERVICE)).hasMessageContaining("MESSENGER_JWT_SECRET");
    assertThatThrownBy(() -> of(CLIENT, " ")).hasMessageContaining("MESSENGER_INTERNAL_SECRET");
    assertThatThrownBy(() -> new SecurityProperties(null, null)).hasMessageContaining("is not set");
  }

  @Test
  void secretsMustBeLongEnoughForHs256AndDistinct() {
    assertThatThrownBy(() -> of("short", SERVICE)).hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(() -> of(CLIENT, CLIENT)).hasMessageContaining("must differ");
  }

  @Test
  void secretsNeverShowInToString() {
    SecurityProperties properties = of(CLIENT, SERVICE);
    assertThat(properties.toString()).doesNotContain(CLIENT).doesNotContain(SERVICE);
  }
}
