package io.messenger.history.conversation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxMembers the largest group, default 100,000
 */
@Validated
@ConfigurationProperties("messenger.group")
public record GroupProperties(@Min(2) @Max(100_000) int maxMembers) {}
