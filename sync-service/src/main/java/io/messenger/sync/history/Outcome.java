package io.messenger.sync.history;

/** A 2xx answer of the history-service and whether it was a creation (201) or a repeat (200). */
public record Outcome<T>(T body, boolean created) {}
