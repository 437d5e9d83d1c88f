package io.messenger.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Many parked HTTP/1.1 GETs from one selector thread: the long-poll scenario's client. Each
 * response's arrival is stamped the moment its last byte is read (before anything is parsed as
 * JSON), so the wake-up latency measures the server and the network, not the load generator. (The
 * JDK {@code HttpClient} with 1,000 connections took most of a second to hand 1,000 simultaneous
 * answers to the caller on these 2 cores, while the server had written them all within ~0.1-0.3 s.)
 */
final class LongPollClient {

  /** One answered request: status, body, and when its last byte arrived. */
  record Arrival(int index, int status, byte[] body, long nanoTime, long wallMicros) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private LongPollClient() {}

  /**
   * Opens one connection per request, sends them all ({@code requests} are request lines with their
   * path and query, e.g. {@code /v1/sync?cursor=..}; {@code tokens} the bearer tokens), then calls
   * {@code ready} (which triggers the wake-up) and collects every answer until {@code
   * timeoutMillis}. Connections are closed at the end.
   */
  static List<Arrival> run(
      String host,
      int port,
      List<String> requests,
      List<String> tokens,
      Runnable afterSent,
      long timeoutMillis)
      throws IOException {
    int n = requests.size();
    Arrival[] arrivals = new Arrival[n];
    try (Selector selector = Selector.open()) {
      List<SocketChannel> channels = new ArrayList<>(n);
      try {
        for (int i = 0; i < n; i++) {
          SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
          channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
          channels.add(channel);
          String request =
              "GET "
                  + requests.get(i)
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + ":"
                  + port
                  + "\r\nAuthorization: Bearer "
                  + tokens.get(i)
                  + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
          ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
          while (out.hasRemaining()) {
            channel.write(out);
          }
          channel.configureBlocking(false);
          channel.register(selector, SelectionKey.OP_READ, new Reader(i));
          if (i % 100 == 99) {
            Thread.sleep(20); // stay within the server's accept backlog
          }
        }
        afterSent.run();
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int done = 0;
        while (done < n) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            break;
          }
          selector.select(left);
          for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            Reader reader = (Reader) key.attachment();
            SocketChannel channel = (SocketChannel) key.channel();
            buffer.clear();
            int read = channel.read(buffer);
            if (read > 0) {
              buffer.flip();
              byte[] chunk = new byte[buffer.remaining()];
              buffer.get(chunk);
              reader.data.writeBytes(chunk);
            }
            Arrival arrival = reader.complete(read < 0);
            if (arrival != null) {
              arrivals[reader.index] = arrival;
              key.cancel();
              done++;
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      } finally {
        for (SocketChannel channel : channels) {
          try {
            channel.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      }
    }
    List<Arrival> out = new ArrayList<>(n);
    for (Arrival a : arrivals) {
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  /** Accumulates one response; complete once its headers and its whole body are in. */
  private static final class Reader {
    final int index;
    final ByteArrayOutputStream data = new ByteArrayOutputStream(1024);

    Reader(int index) {
      this.index = index;
    }

    Arrival complete(boolean eof) {
      long now = System.nanoTime();
      byte[] bytes = data.toByteArray();
      int end = headerEnd(bytes);
      if (end < 0) {
        return null;
      }
      String head = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(head.substring(9, 12));
      String lower = head.toLowerCase(Locale.ROOT);
      byte[] body;
      int cl = lower.indexOf("\r\ncontent-length:");
      if (cl >= 0) {
        int lineEnd = lower.indexOf("\r\n", cl + 2);
        int length = Integer.parseInt(head.substring(cl + 17, lineEnd).trim());
        if (bytes.length - end - 4 < length) {
          return null;
        }
        body = java.util.Arrays.copyOfRange(bytes, end + 4, end + 4 + length);
      } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
        body = dechunk(bytes, end + 4);
        if (body == null) {
          return null;
        }
      } else if (eof) {
        body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
      } else {
        return null;
      }
      java.time.Instant wall = java.time.Instant.now();
      return new Arrival(
          index, status, body, now, wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000);
    }

    private static int headerEnd(byte[] b) {
      for (int i = 0; i + 3 < b.length; i++) {
        if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
          return i;
        }
      }
      return -1;
    }

    /** The body of a chunked message starting at {@code from}, or null while incomplete. */
    private static byte[] dechunk(byte[] b, int from) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int at = from;
      while (true) {
        int lineEnd = -1;
        for (int i = at; i + 1 < b.length; i++) {
          if (b[i] == '\r' && b[i + 1] == '\n') {
            lineEnd = i;
            break;
          }
        }
        if (lineEnd < 0) {
          return null;
        }
        String sizeLine = new String(b, at, lineEnd - at, StandardCharsets.ISO_8859_1);
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        at = lineEnd + 2;
        if (size == 0) {
          return out.toByteArray();
        }
        if (b.length < at + size + 2) {
          return null;
        }
        out.write(b, at, size);
        at += size + 2;
      }
    }
  }
}
