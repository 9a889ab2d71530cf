package io.streampipeline.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.CompletionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** Which failed sends mark their row unsendable and which are retried. */
class PublishFailuresTest {

  @Test
  void theMessagesOwnFaultsAreUnsendable() {
    assertEquals("RecordTooLargeException: too big",
        PublishFailures.unsendableReason(new RecordTooLargeException("too big")));
    assertEquals("InvalidRecordException: bad", PublishFailures.unsendableReason(new InvalidRecordException("bad")));
    assertEquals("SerializationException: no",
        PublishFailures.unsendableReason(new CompletionException(new SerializationException("no"))),
        "found under a wrapper too");
  }

  @Test
  void brokerNetworkAndCredentialFailuresAreRetried() {
    assertNull(PublishFailures.unsendableReason(new TimeoutException("expired")));
    assertNull(PublishFailures.unsendableReason(new NetworkException("gone")));
    assertNull(PublishFailures.unsendableReason(new NotLeaderOrFollowerException("moved")));
    assertNull(PublishFailures.unsendableReason(new TopicAuthorizationException("no ACL")),
        "not retriable for Kafka, but the operator's to fix: the rows must still be sent afterwards");
    assertNull(PublishFailures.unsendableReason(new IllegalStateException("producer closed")));
  }
}
