package io.messenger.sync.inbox;

import io.messenger.model.InboxItem;
import java.time.Instant;
import java.time.LocalDate;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Reads stored inbox items: a reader built once (not a per-call type lookup) whose {@link Instant}
 * deserializer parses the exact ISO-8601 UTC form the items are written in ({@code
 * 2026-01-02T03:04:05.123456789Z}) by hand and falls back to {@link Instant#parse} for anything
 * else. A pull parses no item any more: entries are served from their stored wire form ({@link
 * EntryJson}); only an entry written before the wire form existed (its item alone, field {@code d})
 * is read here and serialized again ({@code RedisInboxStore.entry}). The hand-written parser dates
 * from when every pull parsed its items: then the JDK's {@code DateTimeFormatter} alone was about a
 * quarter of parsing 100 items.
 */
final class InboxItemReader {

  private final ObjectReader reader;

  InboxItemReader(JsonMapper json) {
    this.reader =
        json.rebuild()
            .addModule(new SimpleModule("fast-instants").addDeserializer(Instant.class, new Fast()))
            .build()
            .readerFor(InboxItem.class);
  }

  InboxItem read(String text) {
    return reader.readValue(text);
  }

  static Instant parse(String s) {
    Instant fast = parseUtc(s);
    return fast != null ? fast : Instant.parse(s);
  }

  /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, or {@code null} when {@code s} has another form. */
  static Instant parseUtc(String s) {
    int n = s.length();
    if (n < 20
        || n > 30
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) {
      return null;
    }
    if (second < 0 || second > 59 || day > LocalDate.of(year, month, 1).lengthOfMonth()) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int fraction = n - 21; // between '.' and 'Z'
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nanos = digits(s, 20, n - 1);
      if (nanos < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    }
    long seconds =
        LocalDate.of(year, month, day).toEpochDay() * 86_400L
            + hour * 3600L
            + minute * 60L
            + second;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static final class Fast extends StdDeserializer<Instant> {
    Fast() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        return parse(p.getString().trim());
      }
      return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
    }
  }
}
