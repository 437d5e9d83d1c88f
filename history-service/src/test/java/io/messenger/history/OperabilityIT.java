package io.messenger.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.support.security.Tokens;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

@HistoryIT
class OperabilityIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;

  @Test
  void healthProbesMetricsAndTheApiDocumentAreServed() {
    Api api = new Api(port, tokens);
    Api.Answer health = api.get("/actuator/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().get("status").asString()).isEqualTo("UP");
    assertThat(api.get("/actuator/health/liveness", null).status()).isEqualTo(200);
    Api.Answer readiness = api.get("/actuator/health/readiness", null);
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(api.get("/actuator/prometheus", null).status()).isEqualTo(200);
    Api.Answer docs = api.get("/v3/api-docs", null);
    assertThat(docs.status()).isEqualTo(200);
    assertThat(docs.body().at("/components/securitySchemes/bearer/scheme").asString())
        .isEqualTo("bearer");
    assertThat(docs.body().at("/paths").has("/v1/conversations/{conversationId}/messages"))
        .isTrue();
  }

  @Test
  void clientEndpointsRefuseMissingExpiredAndForgedTokens() {
    Api api = new Api(port, tokens);
    assertThat(api.get("/v1/conversations", null).status()).isEqualTo(401);
    assertThat(api.get("/v1/conversations", "not-a-jwt").status()).isEqualTo(401);
    // alg none: header {"alg":"none"}, no signature
    String unsigned =
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImRpZCI6InBob25lIiwiZXhwIjo0MTAyNDQ0ODAwfQ.";
    Api.Answer none = api.get("/v1/conversations", unsigned);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().get("type").asString()).isEqualTo("urn:messenger:problem:unauthorized");
    String expired =
        tokens.client(
            io.messenger.model.UserId.of("alice"),
            io.messenger.model.DeviceId.of("phone"),
            java.time.Duration.ofMinutes(-5));
    assertThat(api.get("/v1/conversations", expired).status()).isEqualTo(401);
    assertThat(api.get("/v1/conversations", api.clientToken("alice", "phone")).status())
        .isEqualTo(200);
    // A service token is not a client token.
    assertThat(api.get("/v1/conversations", api.serviceToken()).status()).isEqualTo(401);
  }
}
