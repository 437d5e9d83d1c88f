package io.messenger.history.conversation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where write diffusion ends: a group with more than {@code maxInboxMembers} members is a <em>large
 * group</em>, whose messages, recalls and edits are not written to members' inboxes (read
 * diffusion, docs/architecture.md "Large groups").
 *
 * @param maxInboxMembers the largest group whose events are fanned out to inboxes, default 500
 */
@Validated
@ConfigurationProperties("messenger.fanout")
public record FanoutProperties(@DefaultValue("500") @Min(1) @Max(100_000) int maxInboxMembers) {

  /** Whether a group of {@code members} members is large (decided at creation and changes). */
  public boolean isLarge(int members) {
    return members > maxInboxMembers;
  }
}
