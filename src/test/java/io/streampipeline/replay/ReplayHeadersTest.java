package io.streampipeline.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ReplayHeadersTest {

  @Test
  void namesTheSourceAndTheFirstDeadLetter() {
    Headers h = ReplayHeaders.of("clickstream.events", 4, 1234, 17, 42, "empty user_id");
    assertEquals("clickstream.events", text(h, "dlq.source.topic"));
    assertEquals("4", text(h, "dlq.source.partition"));
    assertEquals("1234", text(h, "dlq.source.offset"));
    assertEquals("17", text(h, "dlq.replay.of"));
    assertEquals("42", text(h, "dlq.dead.letter.id"));
    assertEquals("empty user_id", text(h, "dlq.error.reason"));
    assertEquals(17L, ReplayHeaders.replayOf(h));
  }

  @Test
  void aRecordThatIsNoReplayOrHasABadHeaderHasNoLink() {
    assertNull(ReplayHeaders.replayOf(null));
    assertNull(ReplayHeaders.replayOf(new RecordHeaders()));
    for (String bad : new String[] {"", "abc", "-5", "0", "99999999999999999999999", "1 "}) {
      RecordHeaders h = new RecordHeaders();
      h.add("dlq.replay.of", bad.getBytes(StandardCharsets.UTF_8));
      assertNull(ReplayHeaders.replayOf(h), bad);
    }
    RecordHeaders nullValue = new RecordHeaders();
    nullValue.add("dlq.replay.of", null);
    assertNull(ReplayHeaders.replayOf(nullValue));
  }

  private static String text(Headers h, String key) {
    return new String(h.lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
