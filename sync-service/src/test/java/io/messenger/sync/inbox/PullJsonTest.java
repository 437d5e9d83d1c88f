package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
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
}
