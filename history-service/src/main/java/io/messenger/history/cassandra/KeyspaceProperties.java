package io.messenger.history.cassandra;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the history lives.
 *
 * @param keyspace the keyspace, created at start-up when missing (default {@code messenger})
 * @param replication the replication map used when creating it: {@code {'class': 'SimpleStrategy',
 *     'replication_factor': 1}} locally, {@code {'class': 'NetworkTopologyStrategy', 'dc1': 3}} in
 *     production
 * @param slowQuery a statement that takes longer is logged by the driver's request logger (its
 *     node, time and CQL, never the bound values), default 1 s; 0 turns the log off
 */
@Validated
@ConfigurationProperties("messenger.cassandra")
public record KeyspaceProperties(
    @NotBlank @Pattern(regexp = "[a-z][a-z0-9_]{0,47}") String keyspace,
    @NotBlank @Pattern(regexp = "\\{[^;]*\\}") String replication,
    @DefaultValue("1s") Duration slowQuery) {}
