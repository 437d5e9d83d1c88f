package io.messenger.sync;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The sync-service: every client write (relayed to the history-service, then fanned out), and the
 * per-user offline inbox on Redis Streams (pull, long-poll, cumulative acks).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SyncApplication {

  public static void main(String[] args) {
    SpringApplication.run(SyncApplication.class, args);
  }
}
