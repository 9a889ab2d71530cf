# Build: mvn -B package -DskipTests && docker build -t stream-pipeline .
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/stream-pipeline.jar /app/stream-pipeline.jar
RUN useradd --system --home /app pipeline && mkdir -p /app/data && chown -R pipeline /app
USER pipeline
EXPOSE 8000 9090
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/stream-pipeline.jar"]
