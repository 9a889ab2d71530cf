package io.streampipeline.outbox;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Tells a send that failed because of the message itself (it would fail the same way every time, so retrying it
 * only blocks the rows behind it) from one that failed because of the broker, the network or the credentials
 * (retried until it works). Only errors that name the record count as the message's fault: an authorization
 * error is not retriable either, but it is the operator's to fix, and the rows must still be sent afterwards.
 */
final class PublishFailures {
  private PublishFailures() {
  }

  /** @return why the message can never be sent, or null when the send should be retried */
  static String unsendableReason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
          || t instanceof InvalidRecordException || t instanceof InvalidTimestampException
          || t instanceof SerializationException) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return null;
  }
}
