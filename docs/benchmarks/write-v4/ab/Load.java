import java.net.URI;
import java.net.http.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.regex.*;

public class Load {
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static String SYNC = "http://127.0.0.1:8081";
  /** The 4th argument "urlconnection": the JDK's HttpURLConnection instead of HttpClient. */
  static boolean urlConnection;
  static String post(String token, String path, String body) throws Exception {
    if (urlConnection) return postByUrlConnection(token, path, body);
    var b = HttpRequest.newBuilder(URI.create(SYNC + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw new RuntimeException(r.statusCode() + " " + r.body());
    return r.body();
  }
  static String postByUrlConnection(String token, String path, String body) throws Exception {
    var c = (java.net.HttpURLConnection) URI.create(SYNC + path).toURL().openConnection();
    c.setRequestMethod("POST"); c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    if (token != null) c.setRequestProperty("Authorization", "Bearer " + token);
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    c.setFixedLengthStreamingMode(bytes.length);
    try (var o = c.getOutputStream()) { o.write(bytes); }
    int code = c.getResponseCode();
    var in = code >= 400 ? c.getErrorStream() : c.getInputStream();
    String r = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    in.close();
    if (code >= 300) throw new RuntimeException(code + " " + r);
    return r;
  }
  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
    if (!m.find()) throw new RuntimeException("no " + name + " in " + json);
    return m.group(1);
  }
  public static void main(String[] a) throws Exception {
    int threads = Integer.parseInt(a[0]);
    int convs = Integer.parseInt(a[1]);
    int seconds = Integer.parseInt(a[2]);
    urlConnection = a.length > 3 && a[3].equals("urlconnection");
    String run = Long.toString(System.currentTimeMillis() % 1000000);
    String[] cids = new String[convs];
    String[] tokens = new String[threads];
    for (int c = 0; c < convs; c++) {
      String u = "lu" + run + "_" + c, p = "lp" + run + "_" + c;
      String t = field(post(null, "/dev/tokens", "{\"userId\":\"" + u + "\",\"deviceId\":\"d\"}"), "token");
      post(null, "/dev/tokens", "{\"userId\":\"" + p + "\",\"deviceId\":\"d\"}");
      cids[c] = field(post(t, "/v1/conversations", "{\"type\":\"direct\",\"members\":[\"" + p + "\"]}"), "conversationId");
      for (int i = c; i < threads; i += convs) tokens[i] = t;
    }
    AtomicLong n = new AtomicLong();
    long[] lat = new long[10_000_000];
    AtomicInteger li = new AtomicInteger();
    long cpu0 = ProcessHandle.current().info().totalCpuDuration().get().toMillis();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    var pool = Executors.newFixedThreadPool(threads);
    for (int i = 0; i < threads; i++) {
      int me = i;
      pool.submit(() -> {
        int k = 0;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          try {
            post(tokens[me], "/v1/conversations/" + cids[me % convs] + "/messages",
                "{\"clientMsgId\":\"m" + me + "_" + (k++) + "\",\"text\":\"hello there\"}");
          } catch (Exception e) { System.err.println(e); continue; }
          lat[li.getAndIncrement()] = System.nanoTime() - t0;
          n.incrementAndGet();
        }
        return null;
      });
    }
    pool.shutdown();
    pool.awaitTermination(seconds + 60, TimeUnit.SECONDS);
    long cpu = ProcessHandle.current().info().totalCpuDuration().get().toMillis() - cpu0;
    System.out.printf("driver CPU %.3f ms/send%n", cpu / (double) n.get());
    long[] l = Arrays.copyOf(lat, li.get());
    Arrays.sort(l);
    System.out.printf("sends %d  %.1f/s  p50 %.2f ms  p99 %.2f ms%n", n.get(), n.get() / (double) seconds,
        l[l.length / 2] / 1e6, l[(int) (l.length * 0.99)] / 1e6);
  }
}
