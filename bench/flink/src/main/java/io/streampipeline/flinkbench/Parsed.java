package io.streampipeline.flinkbench;

/**
 * The outcome of the pipeline's per-record rules for one Kafka record: a stored event, a dead letter, or neither
 * (a bot, only counted). One type out of the source so that the source can stamp event times and watermarks per
 * Kafka partition (split), which only the source can do.
 */
public class Parsed {
  public EventRow event;
  public DeadLetterRow deadLetter;

  public Parsed() {
  }

  static Parsed event(EventRow event) {
    Parsed p = new Parsed();
    p.event = event;
    return p;
  }

  static Parsed deadLetter(DeadLetterRow deadLetter) {
    Parsed p = new Parsed();
    p.deadLetter = deadLetter;
    return p;
  }

  static Parsed bot() {
    return new Parsed();
  }
}
