package io.streampipeline.event;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked reader of Avro binary primitives over one byte array. Unlike Avro's BinaryDecoder it
 * never allocates more than the input holds (a garbage length cannot ask for a gigabyte), and it decodes
 * strings as strict UTF-8, so malformed text is reported instead of silently replaced.
 * Not thread-safe: one instance per decoding thread.
 */
final class AvroBinaryReader {
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private byte[] buf;
  private int pos;
  private int limit;

  void reset(byte[] bytes, int offset) {
    this.buf = bytes;
    this.pos = offset;
    this.limit = bytes.length;
  }

  boolean atEnd() {
    return pos == limit;
  }

  long readLong() throws DecodeException {
    long raw = 0;
    int shift = 0;
    while (true) {
      if (pos >= limit) {
        throw new DecodeException("truncated Avro body");
      }
      int b = buf[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new DecodeException("malformed Avro varint");
      }
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  int readInt() throws DecodeException {
    long value = readLong();
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new DecodeException("malformed Avro int");
    }
    return (int) value;
  }

  /** Reads a union branch index and checks it against the number of branches. */
  int readUnionIndex(String field, int branches) throws DecodeException {
    long index = readLong();
    if (index < 0 || index >= branches) {
      throw new DecodeException("union index out of range for " + field + ": " + index);
    }
    return (int) index;
  }

  String readString(String field) throws DecodeException {
    return readString(field, null);
  }

  /** A string of a field whose values repeat: the instance {@code repeated} kept for the same bytes, if any. */
  String readString(String field, RepeatedStrings repeated) throws DecodeException {
    long length = readLong();
    if (length < 0) {
      throw new DecodeException("negative string length for " + field);
    }
    if (length > limit - pos) {
      throw new DecodeException("truncated Avro body in " + field);
    }
    int len = (int) length;
    int start = pos;
    pos += len;
    if (repeated == null) {
      return decodeText(buf, start, len, field);
    }
    int hash = RepeatedStrings.hash(buf, start, len);
    String s = repeated.find(hash, buf, start, len);
    if (s == null) {
      s = decodeText(buf, start, len, field);
      repeated.keep(hash, buf, start, len, s);
    }
    return s;
  }

  /** Strict UTF-8: malformed bytes are an error, never a replacement character. */
  String decodeText(byte[] bytes, int start, int len, String field) throws DecodeException {
    boolean ascii = true;
    for (int i = start; i < start + len; i++) {
      if (bytes[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, start, len, StandardCharsets.ISO_8859_1);
    }
    try {
      return utf8.decode(ByteBuffer.wrap(bytes, start, len)).toString();
    } catch (CharacterCodingException e) {
      throw new DecodeException("invalid UTF-8 in " + field);
    }
  }

  String readOptionalString(String field) throws DecodeException {
    return readOptionalString(field, null);
  }

  String readOptionalString(String field, RepeatedStrings repeated) throws DecodeException {
    return readUnionIndex(field, 2) == 0 ? null : readString(field, repeated);
  }
}
