package io.messenger.sync.inbox;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a pull answers {@code resync} instead of entries. */
public enum ResyncReason {
  /** The device pulled without a cursor and has never acked: it starts at the head. */
  NEW_DEVICE,
  /**
   * Entries after the cursor are gone (trimmed by the cap or the retention, or the inbox was lost),
   * or the cursor was never issued by this inbox.
   */
  GAP;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
