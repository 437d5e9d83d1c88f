package io.messenger.sync.conversation;

import io.messenger.model.Limits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Limits checked on client writes before the history-service is called. */
final class WriteLimits {

  private WriteLimits() {}

  /**
   * @param maxTextLength the longest message (and edit) text, in characters (default 4096)
   */
  @Validated
  @ConfigurationProperties("messenger.message")
  record MessageProperties(@Positive @Max(Limits.HARD_MAX_TEXT_LENGTH) Integer maxTextLength) {
    MessageProperties {
      maxTextLength = maxTextLength == null ? Limits.DEFAULT_MAX_TEXT_LENGTH : maxTextLength;
    }
  }

  /**
   * @param maxMembers the most members a group may have, the creator included (default 1000)
   */
  @Validated
  @ConfigurationProperties("messenger.group")
  record GroupProperties(@Positive Integer maxMembers) {
    GroupProperties {
      maxMembers = maxMembers == null ? Limits.DEFAULT_MAX_GROUP_MEMBERS : maxMembers;
    }
  }
}
