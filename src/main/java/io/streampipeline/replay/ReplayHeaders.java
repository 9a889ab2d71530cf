package io.streampipeline.replay;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka headers a replayed dead letter carries (values are UTF-8 text): where the message was first
 * read, and which dead_letter_events row it replays. The pipeline reads only {@link #REPLAY_OF}, to link a
 * message that fails again to its first dead letter.
 */
public final class ReplayHeaders {
  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";
  /** The id of the first dead letter of this message (the row replayed, or the row it was itself a replay of). */
  public static final String REPLAY_OF = "dlq.replay.of";
  /** The id of the dead_letter_events row this send was made from. */
  public static final String DEAD_LETTER_ID = "dlq.dead.letter.id";
  /** Why it was dead-lettered the first time. */
  public static final String REASON = "dlq.error.reason";

  private ReplayHeaders() {
  }

  /** The headers of one replayed row. */
  public static Headers of(String sourceTopic, int sourcePartition, long sourceOffset, long firstId, long rowId,
      String reason) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SOURCE_TOPIC, utf8(sourceTopic));
    headers.add(SOURCE_PARTITION, utf8(Integer.toString(sourcePartition)));
    headers.add(SOURCE_OFFSET, utf8(Long.toString(sourceOffset)));
    headers.add(REPLAY_OF, utf8(Long.toString(firstId)));
    headers.add(DEAD_LETTER_ID, utf8(Long.toString(rowId)));
    headers.add(REASON, utf8(reason));
    return headers;
  }

  /**
   * The first dead letter id a record replays, or null when it is not a replay. A header that is not a
   * positive number is ignored: it only links, and must never make a message fail.
   */
  public static Long replayOf(Headers headers) {
    if (headers == null) {
      return null;
    }
    Header header = headers.lastHeader(REPLAY_OF);
    if (header == null || header.value() == null || header.value().length == 0 || header.value().length > 19) {
      return null;
    }
    try {
      long id = Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
      return id > 0 ? id : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
