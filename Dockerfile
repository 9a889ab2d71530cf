# syntax=docker/dockerfile:1
# Multi-stage: Maven builds the fat jar inside the image build (no JDK needed on the host), the runtime image
# has only a JRE and the jar. Build: docker build -t stream-pipeline .   (docker compose up --build does it too)

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first: this layer is reused while only the sources change.
COPY pom.xml .
# (best effort: the package step below fetches whatever this misses)
RUN --mount=type=cache,target=/root/.m2 mvn -B -q dependency:go-offline || true
COPY src src
COPY sql sql
COPY webroot webroot
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# A fixed numeric uid/gid, so Kubernetes (runAsNonRoot) and volume permissions can rely on it.
RUN groupadd --system --gid 10001 pipeline \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home pipeline \
 && mkdir -p /app/data && chown -R 10001:10001 /app
WORKDIR /app
COPY --from=build /build/target/stream-pipeline.jar /app/stream-pipeline.jar
USER 10001:10001
ENV DATA_DIR=/app/data \
    METRICS_PORT=9090
EXPOSE 8000 9090
# Liveness only (event loops answer): Kafka or PostgreSQL being away must not make Docker call it unhealthy.
# bash's /dev/tcp instead of curl, which the JRE image does not promise to have.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${METRICS_PORT:-9090} && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# The JVM sizes its heap from the container's memory limit; an OutOfMemoryError ends the process (the
# orchestrator restarts it; Kafka and PostgreSQL hold the state) instead of leaving it half alive.
# More flags: JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:InitialRAMPercentage=25", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/stream-pipeline.jar"]
