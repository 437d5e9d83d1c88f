package io.messenger.sync.inbox.pull;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import io.messenger.sync.inbox.EntryDto;
import io.messenger.sync.inbox.EntryJson;
import io.messenger.sync.inbox.Items;
import io.messenger.sync.inbox.PullResult;
import io.messenger.sync.inbox.ResyncReason;
import io.messenger.sync.inbox.WireEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link PullJson} writes byte for byte what Jackson writes for the same {@link PullResponse}. */
class PullJsonTest {

  private static final InboxCursor START = new InboxCursor(1_700_000_000_000L, 0);

  private final JsonMapper json = JsonMapper.builder().build();
  private final PullJson pullJson = new PullJson(json);
  private final EntryJson entryJson = new EntryJson(json);

  private static List<InboxItem> items() {
    return List.of(
        Items.message("c1", 1, "bob"),
        Items.edit("c1", 2, 1),
        Items.read("c1", 3, 2),
        Items.notification("n-1"));
  }

  /** What Jackson writes for the documented schema of the same answer. */
  private String jackson(PullResult result, List<InboxEntry> entries) {
    PullResponse response =
        result.resync() != null
            ? PullResponse.resync(result)
            : new PullResponse(
                entries.stream().map(EntryDto::of).toList(),
                PullResponse.nextCursor(result),
                result.hasMore(),
                null,
                PullResponse.LargeGroup.of(result),
                result.largeGroupsHasMore());
    return json.writeValueAsString(response);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void answersWithEntriesAreWhatJacksonWrites() {
    for (int count = 1; count <= items().size(); count++) {
      for (boolean hasMore : new boolean[] {false, true}) {
        List<InboxEntry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          entries.add(new InboxEntry(new InboxCursor(START.millis() + i + 1, i), items().get(i)));
        }
        List<WireEntry> wire = entries.stream().map(entryJson::wire).toList();
        PullResult result =
            new PullResult(null, entries.get(count - 1).cursor(), START, wire, hasMore);

        assertThat(text(pullJson.render(result))).isEqualTo(jackson(result, entries));
      }
    }
  }

  @Test
  void anEmptyAnswerContinuesFromWhereThePullStarted() {
    PullResult result = new PullResult(null, START, START, List.of(), false);

    String rendered = text(pullJson.render(result));

    assertThat(rendered).isEqualTo(jackson(result, List.of()));
    assertThat(rendered)
        .isEqualTo(
            "{\"entries\":[],\"nextCursor\":\""
                + START
                + "\",\"hasMore\":false,\"resync\":null,\"largeGroups\":[],"
                + "\"largeGroupsHasMore\":false}");
  }

  @Test
  void resyncAnswersAreWhatJacksonWrites() {
    for (ResyncReason reason : ResyncReason.values()) {
      PullResult result = new PullResult(reason, START, new InboxCursor(5, 0), List.of(), false);

      assertThat(text(pullJson.render(result))).isEqualTo(jackson(result, List.of()));
      assertThat(text(pullJson.render(result))).contains("\"headCursor\":\"" + START + "\"");
    }
  }

  @Test
  void pullResponseNextCursorIsTheLastEntryOrTheStart() {
    InboxCursor cursor = new InboxCursor(1700000000000L, 3);
    InboxCursor from = new InboxCursor(5, 0);
    PullResult none = new PullResult(null, from, from, java.util.List.of(), false);
    PullResult some =
        new PullResult(
            null,
            cursor,
            from,
            java.util.List.of(entryJson.wire(new InboxEntry(cursor, Items.notification("n-2")))),
            true);
    PullResult gap = new PullResult(ResyncReason.GAP, cursor, from, java.util.List.of(), false);

    assertThat(PullResponse.nextCursor(none)).isEqualTo("5-0");
    assertThat(PullResponse.nextCursor(some)).isEqualTo(cursor.toString());
    assertThat(PullResponse.resync(gap).resync())
        .isEqualTo(new PullResponse.Resync(ResyncReason.GAP, cursor.toString()));
    assertThat(PullResponse.resync(gap).nextCursor()).isEqualTo(cursor.toString());
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
    List<WireEntry> wire = list.stream().map(entryJson::wire).toList();
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
    List<io.messenger.sync.inbox.LargeGroupNews> news =
        List.of(
            new io.messenger.sync.inbox.LargeGroupNews(
                io.messenger.model.ConversationId.of("g1"), 4, 9, millis),
            new io.messenger.sync.inbox.LargeGroupNews(
                io.messenger.model.ConversationId.of("g2"), 0, 1, millis));
    PullResult withGroups = new PullResult(null, last, from, wire, false).with(news, true);
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
}
