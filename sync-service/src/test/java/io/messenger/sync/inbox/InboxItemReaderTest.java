package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InboxItemReaderTest {

  @Test
  void parsesWhatInstantToStringWritesExactlyAsInstantParseDoes() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      Instant t =
          Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE), random.nextInt(1_000_000_000));
      if (i % 3 == 0) {
        t = Instant.ofEpochMilli(t.toEpochMilli());
      } else if (i % 3 == 1) {
        t = Instant.ofEpochSecond(t.getEpochSecond());
      }
      String text = t.toString();
      assertThat(InboxItemReader.parseUtc(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void leavesOtherFormsToInstantParse() {
    for (String text :
        List.of(
            "2026-01-02T03:04:05+01:00",
            "+12026-01-02T03:04:05Z",
            "2026-02-30T03:04:05Z",
            "2026-01-02T24:04:05Z",
            "2026-01-02T03:04:05.Z",
            "2026-01-02 03:04:05Z")) {
      assertThat(InboxItemReader.parseUtc(text)).as(text).isNull();
    }
    assertThat(InboxItemReader.parse("2026-01-02T03:04:05+01:00"))
        .isEqualTo(Instant.parse("2026-01-02T02:04:05Z"));
  }
}
