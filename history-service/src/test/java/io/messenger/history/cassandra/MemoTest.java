package io.messenger.history.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoTest {

  @Test
  void anEntryOnlyMovesTheWayItsMergeSays() {
    Memo<String, Long> newest = new Memo<>(Math::max);

    newest.remember("c1", 5L);
    newest.remember("c1", 3L);

    assertThat(newest.get("c1")).isEqualTo(5L);
    assertThat(newest.get("c2")).isNull();
  }

  @Test
  void aFullMemoForgetsEverythingBeforeItTakesTheNextEntry() {
    Memo<String, Long> memo = new Memo<>(2, Math::min);
    memo.remember("a", 1L);
    memo.remember("b", 2L);

    memo.remember("c", 3L);

    assertThat(memo.size()).isEqualTo(1);
    assertThat(memo.get("a")).isNull();
    assertThat(memo.get("c")).isEqualTo(3L);
  }

  @Test
  void aMemoHoldsAtLeastOneEntry() {
    assertThatThrownBy(() -> new Memo<String, Long>(0, Math::max))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
