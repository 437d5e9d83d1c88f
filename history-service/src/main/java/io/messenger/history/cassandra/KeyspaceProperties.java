package io.messenger.history.cassandra;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the history lives.
 *
 * @param keyspace the keyspace, created at start-up when missing (default {@code messenger})
 * @param replication the replication map used when creating it: {@code {'class': 'SimpleStrategy',
 *     'replication_factor': 1}} locally, {@code {'class': 'NetworkTopologyStrategy', 'dc1': 3}} in
 *     production
 */
@Validated
@ConfigurationProperties("messenger.cassandra")
public record KeyspaceProperties(
    @NotBlank @Pattern(regexp = "[a-z][a-z0-9_]{0,47}") String keyspace,
    @NotBlank @Pattern(regexp = "\\{[^;]*\\}") String replication) {}
