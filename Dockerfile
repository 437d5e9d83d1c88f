# Image of one service; MODULE picks which (sync-service or history-service), PORT its port.
# Build context: the repository root, e.g.
#   docker build --build-arg MODULE=sync-service --build-arg PORT=8081 -t messenger/sync-service .
# (docker-compose.yml does this). Builds the reactor modules the service needs, runs on a JRE as non-root.

FROM maven:3.9-eclipse-temurin-17 AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN test -n "$MODULE" \
 && mvn -B -q -pl "$MODULE" -am -DskipTests -Dspotless.check.skip=true package \
 && jar=$(find "$MODULE/target" -maxdepth 1 -name "$MODULE-*-exec.jar" ! -name '*-sources*' | head -n 1) \
 && test -n "$jar" \
 && cp "$jar" /tmp/app.jar

FROM eclipse-temurin:17-jre
ARG PORT=8080
RUN (command -v curl >/dev/null 2>&1 || (apt-get update \
      && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*)) \
 && groupadd --system messenger \
 && useradd --system --gid messenger --home-dir /app --no-create-home messenger \
 && mkdir -p /app \
 && chown messenger:messenger /app
WORKDIR /app
COPY --from=build --chown=messenger:messenger /tmp/app.jar /app/app.jar
USER messenger

ENV SERVER_PORT=${PORT} \
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED=true \
    JAVA_TOOL_OPTIONS="-XX:+UseZGC -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=5 \
  CMD curl -fsS "http://127.0.0.1:${SERVER_PORT}/actuator/health/liveness" > /dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
