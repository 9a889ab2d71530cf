package io.streampipeline.generator;

import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The bytes of an {@link GeneratedMessage.Kind#UNDECODABLE} message: a truncated single-object message, bytes that
 * are not Avro (JSON, or random bytes), or a single-object header with an unknown fingerprint, equally likely.
 * Draws from the factory's seeded generator, so the stream stays reproducible.
 */
final class UndecodableMessages {
  private static final int MAX_GARBAGE_BYTES = 200;
  private static final int HEADER_LENGTH = ClickstreamCodec.v1Header().length;

  enum Garbage {
    TRUNCATED, NOT_AVRO, UNKNOWN_FINGERPRINT
  }

  private static final WeightedTable<Garbage> GARBAGE = WeightedTable.uniform(Garbage.values());

  private final SplittableRandom random;
  private final ClickstreamCodec codec;

  UndecodableMessages(SplittableRandom random, ClickstreamCodec codec) {
    this.random = random;
    this.codec = codec;
  }

  /** Which kind of garbage the next undecodable message is. */
  Garbage pick() {
    return GARBAGE.pick(random);
  }

  /** The message's bytes: {@code event} made into garbage of that kind. */
  byte[] bytes(Garbage garbage, ClickstreamEvent event) {
    return switch (garbage) {
      case TRUNCATED -> {
        byte[] full = codec.encode(event);
        // At least the header, at most one byte short: a prefix of a body can never decode.
        yield Arrays.copyOf(full, HEADER_LENGTH + random.nextInt(full.length - HEADER_LENGTH));
      }
      case NOT_AVRO -> random.nextBoolean() ? json(event) : randomBytes();
      case UNKNOWN_FINGERPRINT -> {
        // As from a producer with a writer schema this build has never seen.
        long fingerprint = random.nextLong();
        if (fingerprint == ClickstreamCodec.V1_FINGERPRINT) {
          fingerprint = ~fingerprint;
        }
        byte[] header = ClickstreamCodec.singleObjectHeader(fingerprint);
        byte[] body = codec.encodeSchemaless(event);
        byte[] message = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, message, header.length, body.length);
        yield message;
      }
    };
  }

  /**
   * What a producer with a JSON serializer sends. Its first byte, '{', read as an Avro string length is
   * negative, so it can never decode.
   */
  private static byte[] json(ClickstreamEvent e) {
    String text = "{\"event_id\":\"" + e.eventId() + "\",\"event_type\":\"" + e.eventType().wireName()
        + "\",\"timestamp\":" + e.timestamp() + ",\"user_id\":\"" + e.userId() + "\",\"session_id\":\""
        + e.sessionId() + "\",\"page_url\":\"" + e.pageUrl() + "\"}";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Random bytes that do not start like single-object encoding. A short random array could happen to be a
   * complete schemaless body, so it is checked and drawn again: the label must be true.
   */
  private byte[] randomBytes() {
    while (true) {
      byte[] bytes = new byte[1 + random.nextInt(MAX_GARBAGE_BYTES)];
      for (int i = 0; i < bytes.length; i += 8) {
        long bits = random.nextLong();
        for (int j = i; j < Math.min(i + 8, bytes.length); j++, bits >>>= 8) {
          bytes[j] = (byte) bits;
        }
      }
      if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01) {
        bytes[1] = 0x02;
      }
      try {
        codec.decode(bytes);
      } catch (DecodeException expected) {
        return bytes;
      }
    }
  }
}
