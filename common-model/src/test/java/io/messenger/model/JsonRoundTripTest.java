package io.messenger.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonRoundTripTest {

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void everyInboxItemKindSurvivesTheRoundTrip() {
    for (InboxItem item : Fixtures.everyItemKind()) {
      String text = json.writeValueAsString(item);
      assertThat(json.readValue(text, InboxItem.class)).as(text).isEqualTo(item);
      assertThat(text).contains("\"kind\":\"" + item.kind().wireName() + "\"");
    }
  }

  @Test
  void inboxEntryCarriesItsCursorAsText() {
    InboxEntry entry =
        new InboxEntry(InboxCursor.parse("1700000000000-3"), Fixtures.everyItemKind().get(0));
    String text = json.writeValueAsString(entry);
    assertThat(text).contains("\"cursor\":\"1700000000000-3\"");
    assertThat(json.readValue(text, InboxEntry.class)).isEqualTo(entry);
  }

  @Test
  void operationsAreNamedByTheirWireType() {
    String text = json.writeValueAsString(new Operation.DeleteForMe(41));
    assertThat(text).isEqualTo("{\"type\":\"delete_for_me\",\"targetSeq\":41}");
    assertThat(json.readValue("{\"type\":\"read\",\"upToSeq\":7}", Operation.class))
        .isEqualTo(new Operation.Read(7));
  }

  @Test
  void idsAreBareStrings() {
    assertThat(json.writeValueAsString(UserId.of("alice"))).isEqualTo("\"alice\"");
    assertThat(json.readValue("\"direct\"", ConversationType.class))
        .isEqualTo(ConversationType.DIRECT);
  }

  @Test
  void unknownSystemTypesReadAsCustom() {
    SystemNotification n =
        json.readValue(
            "{\"type\":\"signin.new_device\",\"notificationId\":\"n1\",\"payload\":{\"a\":1}}",
            SystemNotification.class);
    assertThat(n).isInstanceOf(SystemNotification.Custom.class);
    assertThat(n.type()).isEqualTo("signin.new_device");
  }
}
