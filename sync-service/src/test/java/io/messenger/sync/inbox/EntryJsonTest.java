package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messenger.model.ConversationId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import io.messenger.model.Message;
import io.messenger.model.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EntryJsonTest {

  private final JsonMapper json = JsonMapper.builder().build();
  private final EntryJson entries = new EntryJson(json);

  private static List<InboxItem> items() {
    List<InboxItem> items = new ArrayList<>();
    items.add(Items.message("c1", 1, "bob"));
    items.add(Items.edit("c1", 2, 1));
    items.add(Items.read("c1", 3, 2));
    items.add(Items.notification("n-1"));
    // Text that must be escaped, and characters outside the BMP.
    items.add(
        new InboxItem.MessageItem(
            new Message(
                ConversationId.of("c1"),
                4,
                UserId.of("bob"),
                Instant.parse("2026-11-27T10:00:00.123456789Z"),
                "m-4",
                "quote \" backslash \\ newline \n tab \t emoji \uD83D\uDE00 nul \u0000 <>&")));
    return items;
  }

  @Test
  void theSplicedWireFormIsByteForByteWhatEntryDtoSerializesTo() {
    Random random = new Random(7);
    for (InboxItem item : items()) {
      for (int i = 0; i < 20; i++) {
        InboxCursor cursor =
            new InboxCursor(random.nextLong(Long.MAX_VALUE), random.nextInt(Integer.MAX_VALUE));
        InboxEntry entry = new InboxEntry(cursor, item);

        WireEntry wire = entries.wire(entry);

        assertThat(wire.cursor()).isEqualTo(cursor);
        assertThat(wire.text()).isEqualTo(json.writeValueAsString(EntryDto.of(entry)));
      }
    }
  }

  @Test
  void theStoredBodyHasNoCursor() {
    String body = new String(entries.body(Items.message("c1", 1, "bob")), StandardCharsets.UTF_8);

    assertThat(body).startsWith("{\"kind\":\"message\"").doesNotContain("cursor");
  }

  private static String text(byte[] utf8) {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  @Test
  void aMalformedStoredBodyIsRefused() {
    byte[] id = "1-0".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> EntryJson.withCursor(id, "{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> EntryJson.withCursor(id, "[1]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalStateException.class);
  }
}
