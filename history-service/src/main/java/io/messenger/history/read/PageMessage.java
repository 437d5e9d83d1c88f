package io.messenger.history.read;

import io.messenger.model.UserId;
import java.time.Instant;

/** A message as pages show it, operations applied: {@code text} is null when recalled. */
record PageMessage(
    long seq, UserId senderId, Instant sentAt, String text, Instant editedAt, boolean recalled) {}
