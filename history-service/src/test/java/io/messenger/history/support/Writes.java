package io.messenger.history.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes through the internal API, as the sync-service makes them (service token). */
public final class Writes {

  private final Api api;
  private final String serviceToken;

  public Writes(Api api) {
    this.api = api;
    this.serviceToken = api.serviceToken();
  }

  /** Creates a group of {@code members}, the first being its creator; returns its id. */
  public String group(String... members) {
    Api.Answer created =
        api.post(
            "/internal/v1/conversations",
            serviceToken,
            Map.of("type", "group", "members", List.of(members), "createdBy", members[0]));
    assertThat(created.status()).isEqualTo(201);
    return created.body().get("conversationId").asString();
  }

  public Api.Answer send(String cid, String sender, String clientMsgId, String text) {
    return api.post(
        "/internal/v1/conversations/" + cid + "/messages",
        serviceToken,
        Map.of("senderId", sender, "clientMsgId", clientMsgId, "text", text));
  }

  public Api.Answer operate(
      String cid, String actor, String clientOpId, Map<String, Object> fields) {
    Map<String, Object> body = new HashMap<>(fields);
    body.put("actorId", actor);
    body.put("clientOpId", clientOpId);
    return api.post("/internal/v1/conversations/" + cid + "/operations", serviceToken, body);
  }
}
