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

  @Test
  void aRenderedPullIsWhatJacksonWritesForThePullResponse() {
    PullJson renderer = new PullJson(json);
    InboxCursor from = new InboxCursor(5, 0);
    List<InboxEntry> list = new ArrayList<>();
    long millis = 1_700_000_000_000L;
    for (InboxItem item : items()) {
      list.add(new InboxEntry(new InboxCursor(millis++, 0), item));
    }
    InboxCursor last = list.get(list.size() - 1).cursor();
    List<WireEntry> wire = list.stream().map(entries::wire).toList();
    List<EntryDto> dtos = list.stream().map(EntryDto::of).toList();

    for (boolean more : new boolean[] {true, false}) {
      assertThat(text(renderer.render(new PullResult(null, last, from, wire, more))))
          .isEqualTo(
              json.writeValueAsString(
                  new PullResponse(dtos, last.toString(), more, null, List.of(), false)));
      assertThat(text(renderer.render(new PullResult(null, last, from, wire.subList(0, 1), more))))
          .isEqualTo(
              json.writeValueAsString(
                  new PullResponse(
                      dtos.subList(0, 1),
                      list.get(0).cursor().toString(),
                      more,
                      null,
                      List.of(),
                      false)));
    }
    assertThat(text(renderer.render(new PullResult(null, from, from, List.of(), false))))
        .isEqualTo(
            json.writeValueAsString(
                new PullResponse(List.of(), "5-0", false, null, List.of(), false)));
    List<io.messenger.sync.largegroup.LargeGroupNews> news =
        List.of(
            new io.messenger.sync.largegroup.LargeGroupNews(
                io.messenger.model.ConversationId.of("g1"), 4, 9, millis),
            new io.messenger.sync.largegroup.LargeGroupNews(
                io.messenger.model.ConversationId.of("g2"), 0, 1, millis));
    PullResult withGroups = new PullResult(null, last, from, wire, false, news, true);
    assertThat(text(renderer.render(withGroups)))
        .isEqualTo(
            json.writeValueAsString(
                new PullResponse(
                    dtos,
                    last.toString(),
                    false,
                    null,
                    List.of(
                        new PullResponse.LargeGroup("g1", 9, 4),
                        new PullResponse.LargeGroup("g2", 1, 0)),
                    true)))
        .contains("\"largeGroups\":[{\"conversationId\":\"g1\",\"lastSeq\":9,\"afterSeq\":4}");
    PullResult gap = new PullResult(ResyncReason.GAP, last, from, List.of(), false);
    assertThat(text(renderer.render(gap)))
        .isEqualTo(json.writeValueAsString(PullResponse.resync(gap)))
        .contains("\"resync\":{\"reason\":\"gap\"");
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
