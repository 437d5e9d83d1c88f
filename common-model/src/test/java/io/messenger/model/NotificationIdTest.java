package io.messenger.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NotificationIdTest {

  @Test
  void shortIdsAreReadable() {
    assertThat(SystemNotification.idOf("created", "c_1")).isEqualTo("created.c_1");
    assertThat(SystemNotification.idOf("added", "c_1", "7")).isEqualTo("added.c_1.7");
  }

  @Test
  void longIdsAreHashedDeterministicallyAndStayValid() {
    String cid = "c_" + "a".repeat(32);
    String change = "0f8fad5b-d9cb-469f-a165-70867728950e";
    String id = SystemNotification.idOf("removed", cid, change);

    assertThat(id).startsWith("removed.").hasSizeLessThanOrEqualTo(64);
    assertThat(Limits.isValidClientId(id)).isTrue();
    assertThat(SystemNotification.idOf("removed", cid, change)).isEqualTo(id);
    assertThat(SystemNotification.idOf("added", cid, change)).isNotEqualTo(id);
  }
}
