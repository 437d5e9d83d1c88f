package io.messenger.sync.inbox.pull;

import io.messenger.sync.inbox.PullResult;
import io.messenger.sync.inbox.WireEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders the answer of a pull as the UTF-8 JSON of {@link PullResponse}. An answer with entries is
 * assembled from their stored wire form ({@link WireEntry}) without a JSON serializer: {@code
 * {"entries":[e1,e2,...],"nextCursor":"<c>","hasMore":<b>,"resync":null,"largeGroups":[g1,...],
 * "largeGroupsHasMore":<b>}}, byte for byte what Jackson writes for the same {@link PullResponse}
 * ({@code PullJsonTest}, {@code EntryJsonTest}). A resync answer (rare, no entries) goes through
 * Jackson.
 */
final class PullJson {

  private static final byte[] ENTRIES = ascii("{\"entries\":[");
  private static final byte[] NEXT = ascii("],\"nextCursor\":\"");
  private static final byte[] MORE = ascii("\",\"hasMore\":");
  private static final byte[] TRUE_END = ascii("true,\"resync\":null,\"largeGroups\":[");
  private static final byte[] FALSE_END = ascii("false,\"resync\":null,\"largeGroups\":[");
  private static final byte[] GROUPS_MORE = ascii("],\"largeGroupsHasMore\":true}");
  private static final byte[] GROUPS_END = ascii("],\"largeGroupsHasMore\":false}");

  private final ObjectWriter writer;

  PullJson(JsonMapper json) {
    this.writer = json.writerFor(PullResponse.class);
  }

  byte[] render(PullResult result) {
    if (result.resync() != null) {
      return writer.writeValueAsBytes(PullResponse.resync(result));
    }
    int size = ENTRIES.length + NEXT.length + 32 + MORE.length + FALSE_END.length;
    for (WireEntry entry : result.entries()) {
      size += entry.json().length + 1;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.writeBytes(ENTRIES);
    boolean first = true;
    for (WireEntry entry : result.entries()) {
      if (!first) {
        out.write(',');
      }
      out.writeBytes(entry.json());
      first = false;
    }
    out.writeBytes(NEXT);
    out.writeBytes(ascii(PullResponse.nextCursor(result)));
    out.writeBytes(MORE);
    out.writeBytes(result.hasMore() ? TRUE_END : FALSE_END);
    boolean firstGroup = true;
    for (PullResponse.LargeGroup group : PullResponse.LargeGroup.of(result)) {
      if (!firstGroup) {
        out.write(',');
      }
      // Ids are [A-Za-z0-9_-]: nothing to escape.
      out.writeBytes(
          ascii(
              "{\"conversationId\":\""
                  + group.conversationId()
                  + "\",\"lastSeq\":"
                  + group.lastSeq()
                  + ",\"afterSeq\":"
                  + group.afterSeq()
                  + "}"));
      firstGroup = false;
    }
    out.writeBytes(result.largeGroupsHasMore() ? GROUPS_MORE : GROUPS_END);
    return out.toByteArray();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
