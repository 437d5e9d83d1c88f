package io.messenger.history.activity;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where write diffusion stops, bound from {@code messenger.fanout}.
 *
 * @param maxInboxMembers a group with more members than this is a large group: its events move no
 *     per member row of the conversation list (nor, with read diffusion, any inbox entry); its
 *     members' lists merge it in from {@code user_large_groups} ({@code
 *     messenger.fanout.max-inbox-members}, default 500)
 */
@Validated
@ConfigurationProperties("messenger.fanout")
public record FanoutProperties(@DefaultValue("500") @Min(1) int maxInboxMembers) {

  /** Whether a group of {@code memberCount} members is a large group. */
  public boolean isLarge(int memberCount) {
    return memberCount > maxInboxMembers;
  }
}
