package io.streampipeline.bus;

/**
 * A message that could not be stored, with where it came from and why. {@code replayOf} is the id of the
 * first dead_letter_events row of this message when it was sent again by the replay (its
 * {@code dlq.replay.of} header), else null. {@code sourceTopicId} is the ID of the log it was read from (null:
 * not known): a topic created again reuses offsets, so topic, partition and offset alone do not name a record.
 */
public record DeadLetter(String sourceTopic, int partition, long offset, String reason, byte[] payload,
    long failedAt, Long replayOf, String sourceTopicId) {

  public DeadLetter(String sourceTopic, int partition, long offset, String reason, byte[] payload, long failedAt,
      Long replayOf) {
    this(sourceTopic, partition, offset, reason, payload, failedAt, replayOf, null);
  }

  /** A dead letter of a message that is not a replay. */
  public DeadLetter(String sourceTopic, int partition, long offset, String reason, byte[] payload, long failedAt) {
    this(sourceTopic, partition, offset, reason, payload, failedAt, null, null);
  }
}
