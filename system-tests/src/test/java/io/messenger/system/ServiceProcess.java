package io.messenger.system;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One service started from its runnable jar as a separate JVM, as an operator would run it. */
final class ServiceProcess {

  private final String name;
  private final int port;
  private final Process process;
  private final Path log;

  private ServiceProcess(String name, int port, Process process, Path log) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  static ServiceProcess start(String name, String jarProperty, Map<String, String> env)
      throws IOException {
    Path jar = Path.of(System.getProperty(jarProperty, ""));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jarProperty + " not found at " + jar + ": build the services first (./mvnw verify)");
    }
    Path logs = Path.of(System.getProperty("logs.dir", "target/system-logs"));
    Files.createDirectories(logs);
    Path log = logs.resolve(name + ".log");
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx384m",
            "-XX:TieredStopAtLevel=1",
            "-Ddatastax-java-driver.advanced.metadata.schema.debouncer.window=10 milliseconds",
            "-jar",
            jar.toString(),
            "--server.port=" + port));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().putAll(env);
    return new ServiceProcess(name, port, builder.start(), log);
  }

  /** Waits until {@code /actuator/health} answers UP. */
  ServiceProcess awaitUp(Duration timeout) {
    HttpClient http = HttpClient.newHttpClient();
    await()
        .alias(name + " UP at /actuator/health (log: " + log + ")")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> up(http));
    return this;
  }

  private boolean up(HttpClient http) throws InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited during start-up; see " + log);
    }
    try {
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return answer.statusCode() == 200 && answer.body().contains("\"UP\"");
    } catch (IOException e) {
      return false; // not listening yet
    }
  }

  /** The sum of a meter's series in {@code /actuator/prometheus} (0 when it has none). */
  double meter(String prometheusName) throws IOException, InterruptedException {
    String exposition =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(prometheusName + "{") || line.startsWith(prometheusName + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(
          java.util.concurrent.TimeUnit.SECONDS.toMillis(15),
          java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL: the process dies at once, mid-request, without any shutdown hook. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
