package io.streampipeline.bus;

/** A message that could not be stored, with where it came from and why. */
public record DeadLetter(String sourceTopic, int partition, long offset, String reason, byte[] payload,
    long failedAt) {
}
