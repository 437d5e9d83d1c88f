package io.messenger.history;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The history-service: the durable record of conversations on Cassandra ("message roaming"). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class HistoryApplication {

  public static void main(String[] args) {
    SpringApplication.run(HistoryApplication.class, args);
  }
}
