# Image of one service; MODULE picks which (sync-service or history-service), PORT its port.
# Build context: the repository root, e.g.
#   docker build --build-arg MODULE=sync-service --build-arg PORT=8081 -t messenger/sync-service .
# (docker-compose.yml does this). Builds the reactor modules of both services in one stage (so the
# second image reuses the first one's build layer), runs the chosen one on a JRE as non-root.
# BUILD_IMAGE / RUNTIME_IMAGE default to the official images; where no registry is reachable,
# scripts/docker-local.sh builds local equivalents (docs/operations.md, "Containers").
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -pl sync-service,history-service -am -DskipTests -Dspotless.check.skip=true package \
 && mkdir -p /out \
 && for module in sync-service history-service; do \
      jar=$(find "$module/target" -maxdepth 1 -name "$module-*-exec.jar" ! -name '*-sources*' | head -n 1) \
      && test -n "$jar" && cp "$jar" "/out/$module.jar" || exit 1; \
    done

FROM ${RUNTIME_IMAGE}
ARG MODULE
ARG PORT=8080
RUN test -n "$MODULE" \
 && (command -v curl >/dev/null 2>&1 || (apt-get update \
      && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*)) \
 && groupadd --system messenger \
 && useradd --system --gid messenger --home-dir /app --no-create-home messenger \
 && mkdir -p /app \
 && chown messenger:messenger /app
WORKDIR /app
COPY --from=build --chown=messenger:messenger /out/${MODULE}.jar /app/app.jar
USER messenger

# docker-compose.yml gives each service an explicit heap (-Xmx in JDK_JAVA_OPTIONS, which wins) and a
# memory limit sized from measurements (docs/operations.md, "Memory"); an image run without an -Xmx
# takes 75 % of its container's memory limit.
ENV SERVER_PORT=${PORT} \
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED=true \
    JAVA_TOOL_OPTIONS="-XX:+UseZGC -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE ${PORT}
HEALTHCHECK --interval=5s --timeout=3s --start-period=300s --retries=5 \
  CMD curl -fsS "http://127.0.0.1:${SERVER_PORT}/actuator/health/readiness" > /dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
