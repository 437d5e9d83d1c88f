package io.messenger.history.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;

/** A history-service integration test: the whole app on a random port, real Cassandra. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CassandraExtension.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "messenger.jwt.secret=test-client-secret-0123456789abcdef0123",
      "messenger.internal.secret=test-internal-secret-0123456789abcdef01"
    })
public @interface HistoryIT {}
