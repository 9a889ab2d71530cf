package io.streampipeline.bus;

/**
 * A message that could not be stored, with where it came from and why. {@code replayOf} is the id of the
 * first dead_letter_events row of this message when it was sent again by the replay (its
 * {@code dlq.replay.of} header), else null.
 */
public record DeadLetter(String sourceTopic, int partition, long offset, String reason, byte[] payload,
    long failedAt, Long replayOf) {

  /** A dead letter of a message that is not a replay. */
  public DeadLetter(String sourceTopic, int partition, long offset, String reason, byte[] payload, long failedAt) {
    this(sourceTopic, partition, offset, reason, payload, failedAt, null);
  }
}
