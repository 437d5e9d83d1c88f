package io.messenger.sync.inbox;

import io.messenger.model.ConversationId;

/**
 * News in one of the caller's large groups, as a pull reports it: read the conversation's events
 * after {@code afterSeq} up to {@code lastSeq}, then acknowledge {@code lastSeq} for the group.
 *
 * @param afterSeq what this device has of the group: its acknowledged seq, or, when it never
 *     acknowledged one or the group was not large meanwhile, where read diffusion starts for it
 *     (the seq at which the caller joined, or the group became large)
 * @param lastSeq the group's newest event for every member that the device must read
 * @param at when that event was logged (epoch millis), the order in which news is reported
 */
public record LargeGroupNews(ConversationId conversationId, long afterSeq, long lastSeq, long at) {}
