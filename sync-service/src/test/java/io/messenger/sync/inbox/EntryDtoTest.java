package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class EntryDtoTest {

  private final JsonMapper json = JsonMapper.builder().build();
  private final InboxCursor cursor = new InboxCursor(1700000000000L, 3);

  private Map<String, Object> wire(EntryDto dto) {
    return json.readValue(json.writeValueAsString(dto), new TypeReference<>() {});
  }

  @Test
  void messageIsFlatWithoutNulls() {
    Map<String, Object> wire =
        wire(EntryDto.of(new InboxEntry(cursor, Items.message("c1", 7, "alice"))));

    assertThat(wire)
        .containsOnlyKeys(
            "cursor", "kind", "conversationId", "seq", "senderId", "sentAt", "clientMsgId", "text")
        .containsEntry("cursor", "1700000000000-3")
        .containsEntry("kind", "message")
        .containsEntry("conversationId", "c1")
        .containsEntry("seq", 7)
        .containsEntry("senderId", "alice")
        .containsEntry("sentAt", "2026-01-02T03:04:05Z")
        .containsEntry("clientMsgId", "m-c1-7")
        .containsEntry("text", "text 7");
  }

  @Test
  void operationCarriesActorAsSenderAndTheOperation() {
    Map<String, Object> edit = wire(EntryDto.of(new InboxEntry(cursor, Items.edit("c1", 9, 7))));
    Map<String, Object> read = wire(EntryDto.of(new InboxEntry(cursor, Items.read("c1", 10, 9))));

    assertThat(edit)
        .containsOnlyKeys(
            "cursor",
            "kind",
            "conversationId",
            "seq",
            "senderId",
            "sentAt",
            "clientOpId",
            "operation")
        .containsEntry("kind", "operation")
        .containsEntry("senderId", "alice")
        .containsEntry("clientOpId", "op-9")
        .containsEntry("operation", Map.of("type", "edit", "targetSeq", 7, "text", "edited"));
    assertThat(read).containsEntry("operation", Map.of("type", "read", "upToSeq", 9));
  }

  @Test
  void systemEntryCarriesTheNotification() {
    Map<String, Object> wire = wire(EntryDto.of(new InboxEntry(cursor, Items.notification("n-1"))));

    assertThat(wire)
        .containsOnlyKeys("cursor", "kind", "sentAt", "notificationId", "notification")
        .containsEntry("kind", "system")
        .containsEntry("notificationId", "n-1")
        .containsEntry(
            "notification",
            Map.of(
                "notificationId",
                "n-1",
                "type",
                "friend.request",
                "payload",
                Map.of("from", "bob")));
  }
}
